//! The canonical formatter: prints `.tf` text exactly as `terraform fmt` (HashiCorp's
//! `hclwrite` package) does.
