image = "docker.io/library/nginx:1.27"

environments = {
  staging = {
    min_scale = 0
    max_scale = 1
  }
  production = {
    min_scale = 1
    max_scale = 5
  }
}
