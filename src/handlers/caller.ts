/**
 * Who called a Function URL: the IAM principal Lambda verified from the SigV4 signature (AWS_IAM
 * auth), in requestContext.authorizer.iam. Only Lambda writes the request context; nothing the
 * caller sends (headers, query, body) is read here, so no request can claim another identity.
 * Without it (auth type NONE) the caller is Kafka's User:ANONYMOUS.
 */
import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import { ANONYMOUS, identityOf, type Identity } from '../auth/index.js';
import type { FunctionUrlEvent } from './http.js';

type IamContext = Partial<LambdaFunctionURLEventWithIAMAuthorizer['requestContext']['authorizer']>;

export function callerOf(event: FunctionUrlEvent): Identity {
  const iam = (event.requestContext as { authorizer?: IamContext } | undefined)?.authorizer?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn.length > 0 ? identityOf(iam.userArn) : ANONYMOUS;
}
