// The Overview's Profiles card: every profile held now and the share identified by a user id or
// an email, all time (GET /api/v1/profiles/stats, read by overviewCards.readProfileStats). Not
// tied to the period picked; a server without the route says so in the card.
import { KpiCard } from '../../components/KpiCard';
import { Term } from '../../components/Term';
import { isMissingEndpoint } from '../../errors';
import { DASH, formatCompact, formatNumber, formatPercent } from '../../format';
import type { ProfileFigures } from '../../overviewCards';
import type { AsyncState } from '../../useAsync';

export function ProfilesCard({ state }: { state: AsyncState<ProfileFigures | null> }) {
  if (state.status !== 'ok' || state.data === null) {
    const detail =
      state.status === 'loading'
        ? 'counting…'
        : state.status === 'error' && isMissingEndpoint(state.error)
          ? 'unavailable: this server does not count profiles yet'
          : `could not be counted${state.status === 'error' ? `: ${state.error.message}` : ''}`;
    return <KpiCard glossaryId="profiles" label="Profiles" value={state.status === 'loading' ? '…' : DASH} detail={detail} />;
  }
  const p = state.data;
  const about = p.estimate ? '≈ ' : '';
  return (
    <KpiCard
      glossaryId="profiles"
      label="Profiles"
      value={`${about}${formatCompact(p.profiles)}`}
      fullValue={`${about}${formatNumber(p.profiles, 0)}`}
      detail={
        <>
          {formatPercent(p.share)} <Term id="identified-profiles">identified</Term> ({about}
          {formatNumber(p.identified, 0)}), all time{p.estimate ? ', estimated from samples' : ''}
        </>
      }
    />
  );
}
