import {
  to = labelstudio_view.example
  id = "42"
}
