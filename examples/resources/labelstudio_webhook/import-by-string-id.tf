import {
  to = labelstudio_webhook.example
  id = "42"
}
