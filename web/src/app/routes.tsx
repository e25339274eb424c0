import type { RouteObject } from 'react-router';
import { NotFoundPage } from '../pages/NotFoundPage';
import { StatusPage } from '../pages/StatusPage';
import { Layout } from './Layout';
import { RouteError } from './RouteError';

// Front-end routes. The server answers every non-API path with index.html, so any path that
// matches nothing here lands on NotFoundPage inside the layout.
export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <StatusPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
