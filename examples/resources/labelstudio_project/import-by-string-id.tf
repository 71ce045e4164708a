import {
  to = labelstudio_project.example
  id = "42"
}
