# An ML backend is imported by its numeric ID (GET /api/ml/?project=<project ID> lists them).
terraform import labelstudio_ml_backend.example 42
