variable "environments" {
  description = "One project, namespace, container and Cockpit token per environment."
  type = map(object({
    min_scale = number
    max_scale = number
  }))
  default = {
    staging = {
      min_scale = 0
      max_scale = 1
    }
  }
}

variable "image" {
  description = "The container image every environment runs."
  type        = string
}

variable "region" {
  description = "Where the namespaces live."
  type        = string
  default     = "fr-par"

  validation {
    condition     = contains(["fr-par", "nl-ams", "pl-waw"], var.region)
    error_message = "Serverless Containers are offered in fr-par, nl-ams and pl-waw."
  }
}
