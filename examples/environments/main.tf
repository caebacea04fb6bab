# One stack per environment, driven by for_each over var.environments.
#
#   scwform validate examples/environments
#   scwform graph --format mermaid examples/environments

locals {
  prefix = "shop"
  tags   = ["managed-by:scwform", "app:${local.prefix}"]
}

resource "scaleway_account_project" "env" {
  for_each = var.environments

  name        = "${local.prefix}-${each.key}"
  description = "The ${each.key} environment of ${local.prefix}"
}

resource "scaleway_cockpit_token" "env" {
  for_each = var.environments

  project_id = scaleway_account_project.env[each.key].id
  name       = "${local.prefix}-${each.key}-metrics"
  region     = var.region
}

resource "scaleway_container_namespace" "env" {
  for_each = var.environments

  project_id = scaleway_account_project.env[each.key].id
  name       = "${local.prefix}-${each.key}"
  region     = var.region
  tags       = concat(local.tags, ["env:${each.key}"])
}

resource "scaleway_container" "api" {
  for_each = var.environments

  namespace_id = scaleway_container_namespace.env[each.key].id
  name         = "api"
  image        = var.image
  region       = var.region
  min_scale    = each.value.min_scale
  max_scale    = each.value.max_scale

  environment_variables = {
    ENVIRONMENT = each.key
  }
}

output "endpoints" {
  value = { for env, container in scaleway_container.api : env => container.public_endpoint }
}
