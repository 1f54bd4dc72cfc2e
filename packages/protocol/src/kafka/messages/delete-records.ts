/** DeleteRecords (key 21), v0-2, flexible from v2: move partitions' log start offsets (kafka-delete-records.sh, AdminClient.deleteRecords). */
import type { MessageSchema } from '../schema.js';

export const DeleteRecordsRequest = {
  apiKey: 21,
  type: 'request',
  name: 'DeleteRecordsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics', type: '[]DeleteRecordsTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions', type: '[]DeleteRecordsPartition', versions: '0+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSchema;

export const DeleteRecordsResponse = {
  apiKey: 21,
  type: 'response',
  name: 'DeleteRecordsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics', type: '[]DeleteRecordsTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions', type: '[]DeleteRecordsPartitionResult', versions: '0+', fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'lowWatermark', type: 'int64', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSchema;
