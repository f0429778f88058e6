// Entry point for the TypeORM CLI (migration:generate); the apps build their own DataSource.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL, databaseOptions } from './database-options';

export default new DataSource(databaseOptions(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, 'tuneforge-cli'));
