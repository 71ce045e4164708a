# A project is imported by its ID, the number in its URL (/projects/42/).
terraform import labelstudio_project.example 42
