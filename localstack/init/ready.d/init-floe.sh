#!/usr/bin/env bash
# LocalStack ready hook: creates Floe's segment bucket and its two DynamoDB tables.
# Idempotent (safe on restart with PERSISTENCE=1).
#
# Names default to the local cluster's (LOCAL_NAMES in src/local/storage.ts); key schema
# and TTL attribute are the ones in src/storage/tables.ts. Both tables: string pk (HASH),
# string sk (RANGE), on-demand. test/cdk/localstack-files.test.ts runs this script with a
# fake awslocal and checks every name against the code.
set -euo pipefail

BUCKET="${FLOE_BUCKET:-floe-local}"
LOG_TABLE="${FLOE_LOG_TABLE:-floe-log}"
GROUPS_TABLE="${FLOE_GROUPS_TABLE:-floe-groups}"
PARTITION_KEY="pk"
SORT_KEY="sk"
TTL_ATTRIBUTE="ttl"
REGION="${AWS_DEFAULT_REGION:-us-east-1}"

if ! awslocal s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
  if [ "$REGION" = "us-east-1" ]; then
    awslocal s3api create-bucket --bucket "$BUCKET" >/dev/null
  else
    awslocal s3api create-bucket --bucket "$BUCKET" \
      --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
  fi
fi

create_table() {
  local table="$1"
  if awslocal dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
    return 0
  fi
  awslocal dynamodb create-table \
    --table-name "$table" \
    --billing-mode PAY_PER_REQUEST \
    --attribute-definitions "AttributeName=$PARTITION_KEY,AttributeType=S" "AttributeName=$SORT_KEY,AttributeType=S" \
    --key-schema "AttributeName=$PARTITION_KEY,KeyType=HASH" "AttributeName=$SORT_KEY,KeyType=RANGE" >/dev/null
  awslocal dynamodb wait table-exists --table-name "$table"
  # TTL is for cleanup only (liveness is always `expiresAt > now`), as on AWS.
  awslocal dynamodb update-time-to-live \
    --table-name "$table" \
    --time-to-live-specification "Enabled=true,AttributeName=$TTL_ATTRIBUTE" >/dev/null
}

create_table "$LOG_TABLE"
create_table "$GROUPS_TABLE"
echo "floe: bucket $BUCKET and tables $LOG_TABLE, $GROUPS_TABLE are ready"
