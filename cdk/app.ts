#!/usr/bin/env node
// The Floe CDK app: one FloeStack, configured from context (see cdk/context.ts and
// docs/deploy.md), checked by cdk-nag's AwsSolutions pack on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackPropsFromContext } from './context.js';
import { FloeStack } from './floe-stack.js';

const app = new App();
new FloeStack(app, 'Floe', stackPropsFromContext(app.node));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
