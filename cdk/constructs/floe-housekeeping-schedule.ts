/**
 * The housekeeping schedule: an EventBridge rule that invokes the housekeeping function,
 * and a dead-letter queue where a failed run ends up instead of vanishing: events the
 * rule could not deliver, and invocations that still failed after Lambda's retries.
 * An alarm fires as soon as one is there.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FloeHousekeepingScheduleProps {
  readonly function: IFunction;
  readonly interval: Duration;
  /** What happens to the dead-letter queue when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  readonly alarmAction?: IAlarmAction;
}

/** Lambda's own retries of a failed asynchronous invocation before it goes to the queue. */
const RETRY_ATTEMPTS = 2;

export class FloeHousekeepingSchedule extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly failedRunsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: FloeHousekeepingScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'FailedRuns', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the housekeeping schedule (EventBridge target DLQ and ' +
        'Lambda on-failure destination); cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });
    // A missed run is picked up by the next one: no point retrying past the interval.
    props.function.configureAsyncInvoke({
      retryAttempts: RETRY_ATTEMPTS,
      maxEventAge: props.interval,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    this.rule = new Rule(this, 'Rule', {
      description: 'Runs Floe housekeeping: retention, merging of small objects, orphan collection',
      schedule: Schedule.rate(props.interval),
      targets: [
        new LambdaFunction(props.function, { retryAttempts: RETRY_ATTEMPTS, maxEventAge: props.interval, deadLetterQueue: this.deadLetterQueue }),
      ],
    });
    this.failedRunsAlarm = new Alarm(this, 'FailedRunsAlarm', {
      alarmDescription: 'Floe housekeeping: a scheduled run failed or could not be delivered (see the FailedRuns queue).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.failedRunsAlarm.addAlarmAction(props.alarmAction);
  }
}
