import 'reflect-metadata';
import { bootstrapService } from '@pedigree/platform';
import { DistributorModule } from './app.module';

void bootstrapService('distributor', DistributorModule);
