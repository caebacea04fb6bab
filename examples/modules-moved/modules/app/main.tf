# One environment: a project, a namespace and a container, with conditions on what is planned
# (precondition) and on what the API made (postcondition).

variable "name" {
  description = "The project's name; the other objects are named after it."
  type        = string
}

variable "max_scale" {
  description = "The container's maximum number of instances."
  type        = number
}

resource "scaleway_account_project" "this" {
  name        = var.name
  description = "Created by the scwform modules-moved example"
}

resource "scaleway_container_namespace" "apps" {
  project_id = scaleway_account_project.this.id
  name       = "${var.name}-apps"
}

moved {
  from = scaleway_container_namespace.ns
  to   = scaleway_container_namespace.apps
}

resource "scaleway_container" "web" {
  namespace_id = scaleway_container_namespace.apps.id
  name         = "web"
  image        = "docker.io/library/nginx:latest"
  port         = 80
  min_scale    = 0
  max_scale    = var.max_scale

  lifecycle {
    precondition {
      condition     = var.max_scale <= 5
      error_message = "An environment runs at most 5 instances."
    }
    postcondition {
      condition     = self.public_endpoint != ""
      error_message = "The container has no domain name."
    }
  }
}

output "endpoint" {
  value = scaleway_container.web.public_endpoint
}

# Lets a client call the container (its token is a secret, never shown).
resource "scaleway_container_token" "web" {
  container_id = scaleway_container.web.id
  description  = "Calls to web"
}
