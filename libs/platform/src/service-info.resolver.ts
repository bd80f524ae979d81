import { Inject } from '@nestjs/common';
import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { SERVICE_NAME } from './health.controller';
import { Public } from './roles.guard';

@ObjectType('ServiceInfo')
export class ServiceInfo {
  @Field() service!: string;
  @Field() version!: string;
}

@Resolver(() => ServiceInfo)
export class ServiceInfoResolver {
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @Public()
  @Query(() => ServiceInfo, { description: 'Which service answers, and its version.' })
  serviceInfo(): ServiceInfo {
    return { service: this.service, version: process.env.npm_package_version ?? '0.1.0' };
  }
}
