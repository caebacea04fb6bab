# One team: a namespace in the given project, and a container in it, read back through a
# data source once the namespace exists (a read deferred to the apply on the first run).

variable "name" {
  description = "The team's name; its objects are named after it."
  type        = string
}

variable "project_id" {
  description = "The project the team's objects live in."
  type        = string
}

resource "scaleway_container_namespace" "team" {
  project_id = var.project_id
  name       = "team-${var.name}"
}

data "scaleway_container_namespace" "team" {
  namespace_id = scaleway_container_namespace.team.id
}

resource "scaleway_container" "app" {
  namespace_id = data.scaleway_container_namespace.team.id
  name         = "${var.name}-app"
  image        = "docker.io/library/nginx:latest"
  port         = 80
  min_scale    = 0
  max_scale    = 1
}

output "namespace" {
  value = {
    id     = data.scaleway_container_namespace.team.id
    region = data.scaleway_container_namespace.team.region
  }
}
