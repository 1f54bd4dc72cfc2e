// A CDK app of a user's own that deploys Floe as one construct from the installed package.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Floe } from 'floe/cdk';

const app = new App({ outdir: process.env.CDK_OUTDIR });
const stack = new Stack(app, 'MyPlatform');
const floe = new Floe(stack, 'Streaming', { namePrefix: 'my-streaming' });
const template = Template.fromStack(stack);
console.log(JSON.stringify({ functions: Object.keys(template.findResources('AWS::Lambda::Function')).length, urls: Object.keys(template.findResources('AWS::Lambda::Url')).length, bootstrap: typeof floe.url('admin') }));
