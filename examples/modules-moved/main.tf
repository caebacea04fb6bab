# A module called once per environment, after two refactorings recorded with `moved` blocks
# (the data source helper adds a data source here later):
#
# - the call used to be named "service": every instance moves to module.app, keys kept;
# - inside the module, the namespace used to be scaleway_container_namespace.ns (see
#   modules/app/main.tf), moved in every instance of the module.
#
# On a state written before the refactoring, the plan shows "has moved to" for each object and
# "Plan: 0 to add, 0 to change, 0 to destroy."; applying it calls no API. On an empty state the
# moved blocks do nothing.
#
#   scwform plan --sandbox --dir examples/modules-moved

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
  description = "Each environment's maximum number of container instances."
  type        = map(number)
  default = {
    staging    = 1
    production = 3
  }
}

module "app" {
  source   = "./modules/app"
  for_each = var.environments

  name      = "moved-${each.key}"
  max_scale = each.value
}

moved {
  from = module.service
  to   = module.app
}

# A project that is kept in Scaleway but no longer managed here.
removed {
  from = scaleway_account_project.legacy

  lifecycle {
    destroy = false
  }
}

output "endpoints" {
  value = { for env, app in module.app : env => app.endpoint }
}
