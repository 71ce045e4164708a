import {
  to = labelstudio_ml_backend.example
  id = "42"
}
