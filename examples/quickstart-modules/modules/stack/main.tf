# One environment of the quickstart: a project with a Cockpit token, a Serverless Containers
# namespace, a container, and access tokens for both the namespace and the container.

variable "name" {
  description = "The project's name; the other objects are named after it."
  type        = string
}

variable "max_scale" {
  description = "The container's maximum number of instances."
  type        = number
  default     = 2
}

variable "log_level" {
  description = "LOG_LEVEL of the namespace's containers."
  type        = string
  default     = "info"
}

resource "scaleway_account_project" "this" {
  name        = var.name
  description = "Created by the scwform quickstart (modules)"
}

# Reads metrics and logs, writes metrics only.
resource "scaleway_cockpit_token" "metrics" {
  project_id = scaleway_account_project.this.id
  name       = "${var.name}-metrics"

  scopes {
    query_metrics = true
    write_metrics = true
    query_logs    = true
    write_logs    = false
  }
}

resource "scaleway_container_namespace" "apps" {
  project_id  = scaleway_account_project.this.id
  name        = "${var.name}-apps"
  description = "Containers of ${var.name}"

  environment_variables = {
    LOG_LEVEL = var.log_level
  }
}

resource "scaleway_container" "hello" {
  namespace_id = scaleway_container_namespace.apps.id
  name         = "hello"
  image        = "docker.io/library/nginx:latest"
  port         = 80
  min_scale    = 0
  max_scale    = var.max_scale
  privacy      = "private"
}

# Lets CI deploy to any container of the namespace until 2030.
resource "scaleway_container_token" "namespace" {
  namespace_id = scaleway_container_namespace.apps.id
  description  = "CI deployments"
  expires_at   = "2030-01-01T00:00:00Z"
}

# Lets a client call the private container.
resource "scaleway_container_token" "hello" {
  container_id = scaleway_container.hello.id
  description  = "Calls to hello"
}

output "project_id" {
  value = scaleway_account_project.this.id
}

output "hello_endpoint" {
  value = scaleway_container.hello.public_endpoint
}

output "metrics_token" {
  value     = scaleway_cockpit_token.metrics.secret_key
  sensitive = true
}
