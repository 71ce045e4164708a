terraform {
  required_version = ">= 1.11" # write-only *_wo attributes
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}

# The URL and the API key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY,
# the variables the official SDK reads; keep the key out of the configuration.
# Set url here only to pin one server, e.g.
#   url = "https://label-studio.example.com"
provider "labelstudio" {}
