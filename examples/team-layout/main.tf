# A team's layout: one module call per team, every team in the organization's default
# project (read with a data source), and a second provider configuration for the teams that
# run in Amsterdam.
#
#   scwform plan --sandbox --dir examples/team-layout

provider "scaleway" {
  region = "fr-par"
}

provider "scaleway" {
  alias  = "nl"
  region = "nl-ams"
}

# The default project of the organization (the provider's project when none is configured).
data "scaleway_account_project" "default" {}

# A Cockpit token for the teams' metrics, in that project.
resource "scaleway_cockpit_token" "metrics" {
  project_id = data.scaleway_account_project.default.id
  name       = "team-metrics"
}

module "web" {
  source     = "./modules/team"
  name       = "web"
  project_id = data.scaleway_account_project.default.id
}

module "data" {
  source     = "./modules/team"
  name       = "data"
  project_id = data.scaleway_account_project.default.id

  providers = {
    scaleway = scaleway.nl
  }
}

output "project" {
  value = data.scaleway_account_project.default.name
}

output "namespaces" {
  value = {
    web  = module.web.namespace
    data = module.data.namespace
  }
}
