variable "export_redis_password" {
  description = "Password of the Redis server."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Annotations are written under their ID as the key; `path` is not a prefix here.
resource "labelstudio_redis_export_storage" "example" {
  project = labelstudio_project.example.id
  title   = "Annotations to Redis"
  host    = "redis.internal"
  port    = "6379"
  db      = 2

  password_wo         = var.export_redis_password
  password_wo_version = 1
}
