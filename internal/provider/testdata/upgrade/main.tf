terraform {
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}

# URL and API key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY.
provider "labelstudio" {}

resource "labelstudio_project" "configured" {
  color = "#FF8800"
  description = "written by an earlier provider"
  label_config = "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"sentiment\" toName=\"text\"><Choice value=\"Positive\"/><Choice value=\"Negative\"/></Choices></View>"
  maximum_annotations = 2
  sampling = "Uniform sampling"
  show_skip_button = false
  title = "Upgrade fixture"
}

resource "labelstudio_project" "minimal" {
  title = "Upgrade fixture, defaults"
}

resource "labelstudio_s3_import_storage" "s3_import" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-ff0a96aa038b"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  s3_endpoint = "http://127.0.0.1:41899"
  title = "s3 import"
}

resource "labelstudio_gcs_import_storage" "gcs_import" {
  bucket = "lstest-c8226416065e"
  google_application_credentials_wo = "{\"client_email\":\"robot@redact-test.iam.gserviceaccount.com\",\"client_secret\":\"clientSecretPoiuytrewq\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiGwKeyLineOneXyzAbcDefGhiJklMnoPqr\\nKeyLineTwoQwertyUiopAsdfGhjklZxcvbnmQwertyUiopAsdf\\n-----END PRIVATE KEY-----\\n\",\"private_key_id\":\"keyidZyxwvutsrqponmlk\",\"project_id\":\"redact-test\",\"type\":\"service_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  project = labelstudio_project.configured.id
  title = "gcs import"
}

resource "labelstudio_azure_blob_import_storage" "azure_blob_import" {
  account_key_wo = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  account_key_wo_version = 1
  account_name = "devstoreaccount1"
  container = "lstest-448011ee0c2f"
  project = labelstudio_project.configured.id
  title = "azure_blob import"
}

resource "labelstudio_redis_import_storage" "redis_import" {
  host = "127.0.0.1"
  password_wo = "scrubbed-test-credential"
  password_wo_version = 1
  port = "42147"
  project = labelstudio_project.configured.id
  title = "redis import"
}

resource "labelstudio_local_import_storage" "local_import" {
  path = "/tmp/TestRecordUpgradeFixture2899666897/003/upgrade-import"
  project = labelstudio_project.configured.id
  title = "local import"
}

resource "labelstudio_s3s_import_storage" "s3s_import" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-ff0a96aa038b"
  external_id = "upgrade-external-id"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  role_arn = "arn:aws:iam::123456789012:role/label-studio"
  s3_endpoint = "http://127.0.0.1:41899"
  title = "s3s import"
}

resource "labelstudio_gcswif_import_storage" "gcswif_import" {
  bucket = "lstest-c8226416065e"
  google_application_credentials_wo = "{\"subject_token\":\"wifSubjectTokenPoiuytrewq\",\"token_url\":\"https://sts.googleapis.com/v1/token\",\"type\":\"external_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  google_project_number = "123456789012"
  google_service_account_email = "label-studio@acc-test.iam.gserviceaccount.com"
  google_wif_pool_id = "label-studio"
  google_wif_provider_id = "label-studio-aws"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  title = "gcswif import"
}

resource "labelstudio_gcs_sa_import_storage" "gcs_sa_import" {
  bucket = "lstest-c8226416065e"
  google_project_id = "upgrade-test"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  target_service_account_email = "label-studio@acc-test.iam.gserviceaccount.com"
  title = "gcs_sa import"
}

resource "labelstudio_azure_spi_import_storage" "azure_spi_import" {
  account_name = "devstoreaccount1"
  client_id = "11111111-2222-3333-4444-555555555555"
  client_secret_wo = "upgrade-client-secret-0123456789"
  client_secret_wo_version = 1
  container = "lstest-448011ee0c2f"
  project = labelstudio_project.configured.id
  tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  title = "azure_spi import"
}

resource "labelstudio_databricks_import_storage" "databricks_import" {
  catalog = "main"
  host = "https://dbc-1234abcd-5678.cloud.databricks.com"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  schema = "labeling"
  title = "databricks import"
  token_wo = "dapi0123456789abcdef0123456789abcdef"
  token_wo_version = 1
  volume = "images"
}

resource "labelstudio_s3_export_storage" "s3_export" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-304a96126b4b"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  s3_endpoint = "http://127.0.0.1:41899"
  title = "s3 export"
}

resource "labelstudio_gcs_export_storage" "gcs_export" {
  bucket = "lstest-35ef3a4bb26e"
  google_application_credentials_wo = "{\"client_email\":\"robot@redact-test.iam.gserviceaccount.com\",\"client_secret\":\"clientSecretPoiuytrewq\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiGwKeyLineOneXyzAbcDefGhiJklMnoPqr\\nKeyLineTwoQwertyUiopAsdfGhjklZxcvbnmQwertyUiopAsdf\\n-----END PRIVATE KEY-----\\n\",\"private_key_id\":\"keyidZyxwvutsrqponmlk\",\"project_id\":\"redact-test\",\"type\":\"service_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  project = labelstudio_project.configured.id
  title = "gcs export"
}

resource "labelstudio_azure_blob_export_storage" "azure_blob_export" {
  account_key_wo = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  account_key_wo_version = 1
  account_name = "devstoreaccount1"
  container = "lstest-03f6e4a56748"
  project = labelstudio_project.configured.id
  title = "azure_blob export"
}

resource "labelstudio_redis_export_storage" "redis_export" {
  host = "127.0.0.1"
  password_wo = "scrubbed-test-credential"
  password_wo_version = 1
  port = "42147"
  project = labelstudio_project.configured.id
  title = "redis export"
}

resource "labelstudio_local_export_storage" "local_export" {
  path = "/tmp/TestRecordUpgradeFixture2899666897/003/upgrade-export"
  project = labelstudio_project.configured.id
  title = "local export"
}

resource "labelstudio_s3s_export_storage" "s3s_export" {
  aws_access_key_id_wo = "scrubbed-test-credential"
  aws_access_key_id_wo_version = 1
  aws_secret_access_key_wo = "scrubbed-test-credential"
  aws_secret_access_key_wo_version = 1
  bucket = "lstest-304a96126b4b"
  external_id = "upgrade-external-id"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  region_name = "us-east-1"
  role_arn = "arn:aws:iam::123456789012:role/label-studio"
  s3_endpoint = "http://127.0.0.1:41899"
  title = "s3s export"
}

resource "labelstudio_gcswif_export_storage" "gcswif_export" {
  bucket = "lstest-35ef3a4bb26e"
  google_application_credentials_wo = "{\"subject_token\":\"wifSubjectTokenPoiuytrewq\",\"token_url\":\"https://sts.googleapis.com/v1/token\",\"type\":\"external_account\"}"
  google_application_credentials_wo_version = 1
  google_project_id = "upgrade-test"
  google_project_number = "123456789012"
  google_service_account_email = "label-studio@acc-test.iam.gserviceaccount.com"
  google_wif_pool_id = "label-studio"
  google_wif_provider_id = "label-studio-aws"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  title = "gcswif export"
}

resource "labelstudio_gcs_sa_export_storage" "gcs_sa_export" {
  bucket = "lstest-35ef3a4bb26e"
  google_project_id = "upgrade-test"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  target_service_account_email = "label-studio@acc-test.iam.gserviceaccount.com"
  title = "gcs_sa export"
}

resource "labelstudio_azure_spi_export_storage" "azure_spi_export" {
  account_name = "devstoreaccount1"
  client_id = "11111111-2222-3333-4444-555555555555"
  client_secret_wo = "upgrade-client-secret-0123456789"
  client_secret_wo_version = 1
  container = "lstest-03f6e4a56748"
  project = labelstudio_project.configured.id
  tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  title = "azure_spi export"
}

resource "labelstudio_databricks_export_storage" "databricks_export" {
  catalog = "main"
  host = "https://dbc-1234abcd-5678.cloud.databricks.com"
  prefix = "tasks"
  project = labelstudio_project.configured.id
  schema = "labeling"
  title = "databricks export"
  token_wo = "dapi0123456789abcdef0123456789abcdef"
  token_wo_version = 1
  volume = "images"
}
