import 'reflect-metadata';
import { bootstrapService } from '@pedigree/platform';
import { ForecastModule } from './app.module';

void bootstrapService('forecast', ForecastModule);
