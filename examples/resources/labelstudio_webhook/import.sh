# A webhook is imported by its numeric ID (GET /api/webhooks/?project=<project ID> lists them).
terraform import labelstudio_webhook.example 42
