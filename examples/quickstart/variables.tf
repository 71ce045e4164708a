variable "document_root" {
  description = "LOCAL_FILES_DOCUMENT_ROOT of the Label Studio server. The directories tasks/ and annotations/ must exist below it, on the server."
  type        = string

  validation {
    condition     = startswith(var.document_root, "/") && !endswith(var.document_root, "/")
    error_message = "document_root must be an absolute path without a trailing slash, e.g. /data."
  }
}

variable "project_title" {
  description = "Title of the project (3 to 50 characters)."
  type        = string
  default     = "Quickstart reviews"
}

variable "task_batch" {
  description = "Change it after adding task files to import them."
  type        = string
  default     = "1"
}
