//! Resource schemas: the single source of truth for every managed resource type.
//!
//! Data only; the validator, planner, renderers and state code are generic over it.
