//! Unit tests of the built-in functions.
