#!/bin/sh
# A sharded sweep on AWS Batch (docs/scale-out.md): an array job of size 4
# runs shard 0..3 (AWS_BATCH_JOB_ARRAY_INDEX, 0-based, is what --shards 4
# reads); the merge job depends on the array job, so it starts once every
# child has succeeded, and reads the shard results from the same EFS volume.
#
# Needs: the image of docs/recipes/Dockerfile in a registry, an EFS file
# system (its id in the job definition), a job queue.
set -eu
QUEUE=${QUEUE:-flashsim}

aws batch register-job-definition --cli-input-json file://docs/recipes/aws-batch-job-definition.json

SHARDS=$(aws batch submit-job --job-name flashsim-shards --job-queue "$QUEUE" \
  --job-definition flashsim-shard --array-properties size=4 \
  --query jobId --output text)

aws batch submit-job --job-name flashsim-merge --job-queue "$QUEUE" \
  --job-definition flashsim-shard --depends-on jobId="$SHARDS" \
  --container-overrides '{"command": ["node", "/app/dist/src/cli/main.js", "merge", "/shards/0", "/shards/1", "/shards/2", "/shards/3", "--out", "/shards/merged"]}'
