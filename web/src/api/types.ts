// Names for the schemas of the OpenAPI document that pages use.
import type { Body, Query } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Me = Schemas['MeResponse'];
export type ProvidersResponse = Schemas['ProvidersResponse'];
export type Provider = Schemas['ProviderInfo'];
export type Organization = Schemas['Organization'];
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type RoleMember = Schemas['RoleMember'];
export type Permission = Schemas['Permission'];
export type AuditEntry = Schemas['AuditEntry'];
export type InvitationInfo = Schemas['InvitationInfo'];
export type ConfigEntry = Schemas['ConfigEntry'];
export type ConfigType = ConfigEntry['type'];
export type Secret = Schemas['Secret'];
export type Integration = Schemas['Integration'];
export type IntegrationFlow = Integration['flow'];
export type IntegrationStatus = Integration['status'];
export type IntegrationTestResult = Schemas['TestResult'];
export type WorkflowDefinition = Schemas['Definition'];
export type WorkflowParameter = Schemas['Parameter'];
export type ParameterType = WorkflowParameter['type'];
export type WorkflowsList = Schemas['WorkflowsListResponse'];
export type LoadError = Schemas['LoadError'];
export type RetryPolicy = Schemas['RetryPolicy'];
export type Execution = Schemas['Execution'];
export type ExecutionDetail = Schemas['DetailResponse'];
export type ExecutionStatus = Execution['status'];
export type ExecuteResponse = Schemas['ExecuteResponse'];
export type LogLine = Schemas['LogLine'];
export type LogLevel = LogLine['level'];
export type RunError = Schemas['RunError'];
export type ResultType = NonNullable<Execution['result_type']>;

export type CreateOrganizationBody = Body<'post', '/api/organizations'>;
export type UpdateOrganizationBody = Body<'patch', '/api/organizations/{id}'>;
export type InviteUserBody = Body<'post', '/api/users'>;
export type UpdateUserBody = Body<'patch', '/api/users/{id}'>;
export type CreateRoleBody = Body<'post', '/api/roles'>;
export type UpdateRoleBody = Body<'patch', '/api/roles/{id}'>;
export type SetConfigBody = Body<'post', '/api/config'>;
export type UpdateConfigBody = Body<'put', '/api/config/{id}'>;
export type CreateSecretBody = Body<'post', '/api/secrets'>;
export type UpdateSecretBody = Body<'put', '/api/secrets/{id}'>;
export type CreateIntegrationBody = Body<'post', '/api/integrations'>;
export type UpdateIntegrationBody = Body<'put', '/api/integrations/{id}'>;
export type ExecuteBody = Body<'post', '/api/workflows/{name}/execute'>;

export type OrganizationFilter = Pick<Query<'get', '/api/organizations'>, 'search' | 'active'>;
export type UserFilter = Pick<Query<'get', '/api/users'>, 'search' | 'active'>;
export type WorkflowFilter = Pick<Query<'get', '/api/workflows'>, 'q' | 'category'>;
export type ExecutionFilter = Pick<Query<'get', '/api/executions'>, 'workflow' | 'status' | 'since' | 'until'>;
export type AuditFilter = Pick<Query<'get', '/api/audit-logs'>, 'action' | 'user_id' | 'since' | 'until'>;
