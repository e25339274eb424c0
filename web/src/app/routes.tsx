import { Outlet, type RouteObject } from 'react-router';
import { AccountPage } from '../pages/AccountPage';
import { AuditPage } from '../pages/audit/AuditPage';
import { ConfigPage } from '../pages/config/ConfigPage';
import { ExecutionDetailPage } from '../pages/executions/ExecutionDetailPage';
import { ExecutionsPage } from '../pages/executions/ExecutionsPage';
import { AcceptInvitePage } from '../pages/auth/AcceptInvitePage';
import { ForgotPasswordPage } from '../pages/auth/ForgotPasswordPage';
import { LoginPage } from '../pages/auth/LoginPage';
import { RegisterPage } from '../pages/auth/RegisterPage';
import { ResetPasswordPage } from '../pages/auth/ResetPasswordPage';
import { SetupPage } from '../pages/auth/SetupPage';
import { VerifyEmailPage } from '../pages/auth/VerifyEmailPage';
import { HomePage } from '../pages/HomePage';
import { IntegrationCallbackPage } from '../pages/integrations/IntegrationCallbackPage';
import { IntegrationsPage } from '../pages/integrations/IntegrationsPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { OrganizationsPage } from '../pages/organizations/OrganizationsPage';
import { RolesPage } from '../pages/roles/RolesPage';
import { SecretsPage } from '../pages/secrets/SecretsPage';
import { StatusPage } from '../pages/StatusPage';
import { UsersPage } from '../pages/users/UsersPage';
import { WorkflowDetailPage } from '../pages/workflows/WorkflowDetailPage';
import { WorkflowsPage } from '../pages/workflows/WorkflowsPage';
import { AuthProvider } from './auth';
import { AuthLayout } from './AuthLayout';
import { RequireAdmin, RequireAuth, RequirePermission } from './guards';
import { Layout } from './Layout';
import { RouteError } from './RouteError';

function Root() {
  return (
    <AuthProvider>
      <Outlet />
    </AuthProvider>
  );
}

// Front-end routes. The server answers every non-API path with index.html, so any path that
// matches nothing here lands on NotFoundPage inside the layout.
export const routes: RouteObject[] = [
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      {
        element: <AuthLayout />,
        children: [
          { path: 'login', element: <LoginPage /> },
          { path: 'setup', element: <SetupPage /> },
          { path: 'forgot-password', element: <ForgotPasswordPage /> },
          { path: 'reset-password', element: <ResetPasswordPage /> },
          { path: 'accept-invite', element: <AcceptInvitePage /> },
          { path: 'verify-email', element: <VerifyEmailPage /> },
          { path: 'register', element: <RegisterPage /> },
        ],
      },
      {
        path: '/',
        element: <Layout />,
        children: [
          { path: 'status', element: <StatusPage /> },
          {
            element: <RequireAuth />,
            children: [
              { index: true, element: <HomePage /> },
              { path: 'account', element: <AccountPage /> },
              // Everyone sees the executions they started; the server decides whose others they see.
              { path: 'executions', element: <ExecutionsPage /> },
              { path: 'executions/:id', element: <ExecutionDetailPage /> },
              { element: <RequireAdmin />, children: [{ path: 'organizations', element: <OrganizationsPage /> }] },
              {
                element: <RequirePermission permission="users.manage" />,
                children: [
                  { path: 'users', element: <UsersPage /> },
                  { path: 'roles', element: <RolesPage /> },
                ],
              },
              {
                element: <RequirePermission permission="workflows.run" />,
                children: [
                  { path: 'workflows', element: <WorkflowsPage /> },
                  { path: 'workflows/:name', element: <WorkflowDetailPage /> },
                ],
              },
              { element: <RequirePermission permission="audit.view" />, children: [{ path: 'audit', element: <AuditPage /> }] },
              { element: <RequirePermission permission="config.manage" />, children: [{ path: 'config', element: <ConfigPage /> }] },
              { element: <RequirePermission permission="secrets.manage" />, children: [{ path: 'secrets', element: <SecretsPage /> }] },
              {
                element: <RequirePermission permission="integrations.manage" />,
                children: [
                  { path: 'integrations', element: <IntegrationsPage /> },
                  // The server redirects the browser here after the provider's consent page.
                  { path: 'integrations/callback', element: <IntegrationCallbackPage /> },
                ],
              },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
