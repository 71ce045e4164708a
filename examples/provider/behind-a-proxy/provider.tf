# Label Studio behind an authenticating proxy, here Cloudflare Access with a
# service token. The proxy's credentials go in headers, sent with every
# request; the API key (LABEL_STUDIO_API_KEY) goes in X-Api-Key, which Label
# Studio reads in place of Authorization, so a proxy that takes the
# Authorization header for itself (Google IAP, oauth2-proxy) cannot swallow it.
variable "cf_access_client_id" {
  type      = string
  sensitive = true
}

variable "cf_access_client_secret" {
  type      = string
  sensitive = true
}

provider "labelstudio" {
  api_key_header = "X-Api-Key"
  headers = {
    "CF-Access-Client-Id"     = var.cf_access_client_id
    "CF-Access-Client-Secret" = var.cf_access_client_secret
  }
}
