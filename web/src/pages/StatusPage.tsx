import { StatusCard } from '../components/StatusCard';

/** StatusPage is public: what Bifrost is and whether its dependencies are healthy. */
export function StatusPage() {
  return (
    <>
      <title>Status · Bifrost</title>
      <header className="page-header">
        <h1>Bifrost</h1>
        <p className="subtitle">Automation platform for MSPs</p>
      </header>
      <StatusCard />
    </>
  );
}
