# The quickstart as a module: one stack (a project with a Cockpit token, a Serverless Containers
# namespace, a container and tokens for both) per environment, from one local module called
# with for_each.
#
#   scwform validate examples/quickstart-modules
#   scwform plan --sandbox --dir examples/quickstart-modules

terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

provider "scaleway" {
  region = "fr-par"
}

variable "environments" {
  description = "Each environment's container sizing and log level."
  type = map(object({
    max_scale = number
    log_level = optional(string, "info")
  }))
  default = {
    staging    = { max_scale = 1, log_level = "debug" }
    production = { max_scale = 3 }
  }
}

module "stack" {
  source   = "./modules/stack"
  for_each = var.environments

  name      = "quickstart-${each.key}"
  max_scale = each.value.max_scale
  log_level = each.value.log_level
}

output "project_ids" {
  value = { for env, stack in module.stack : env => stack.project_id }
}

output "hello_endpoints" {
  value = { for env, stack in module.stack : env => stack.hello_endpoint }
}

output "metrics_tokens" {
  value     = { for env, stack in module.stack : env => stack.metrics_token }
  sensitive = true
}
