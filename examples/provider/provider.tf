terraform {
  required_version = ">= 1.11" # write-only *_wo attributes
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}

# The URL and the API key default to LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY,
# the variables the official SDK reads; keep the key out of the configuration.
provider "labelstudio" {
  url = "https://label-studio.example.com"
}
