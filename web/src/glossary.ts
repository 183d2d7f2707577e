// The KPI glossary as data: one entry per KPI or term the console shows, in plain words,
// adapted from docs/kpis.md, docs/queries.md and docs/identity.md. Pages link a term to its
// entry with glossaryHref(id) (`#/glossary/<id>`); pages/Glossary.tsx renders every entry with
// its id as the anchor. Add an entry here before showing a new figure anywhere.

export interface GlossaryEntry {
  id: string; // the anchor: lower-case words joined by "-"
  term: string;
  short: string; // one sentence, for tooltips and the top of the entry
  body: string[]; // paragraphs: how it is computed
  read?: string; // how to read it
  related?: string[]; // other entries' ids
}

export interface GlossarySection {
  title: string;
  entries: GlossaryEntry[];
}

export const GLOSSARY: readonly GlossarySection[] = [
  {
    title: 'Data basics',
    entries: [
      {
        id: 'events',
        term: 'Events',
        short: 'Everything a customer or a system did that Rapport received: a page view, an order, a sign-up, a support ticket.',
        body: [
          'Every call of the Segment tracking API (track, page, screen, identify, group, alias) is one event, stored with the time it happened (corrected for the sender’s clock) and the time it arrived.',
          'The Overview counts events by the day they happened (UTC), whether or not a customer is known for them.',
        ],
        read: 'A sudden drop usually means a website or app stopped sending, not that customers left: look at Live events.',
        related: ['profiles', 'active-customers'],
      },
      {
        id: 'profiles',
        term: 'Profiles (customers)',
        short: 'One record per customer, stitched from every identifier they used: user id, email, phone, anonymous device ids.',
        body: [
          'When two identifiers appear on the same event (an anonymous visitor signs in), their profiles are merged into one; limits per identifier type stop wrong merges, such as two people sharing a computer.',
          'Traits (plan, email, …) keep the value with the latest event time; computed traits (lifetime revenue, orders in 30 days, …) are kept current as events arrive.',
        ],
        read: 'Every customer count in the console counts profiles as they are now: a visitor merged into a customer later counts as that customer.',
        related: ['identified-share', 'computed-traits'],
      },
      {
        id: 'active-customers',
        term: 'Active customers',
        short: 'Different customers (profiles) with at least one event in the period.',
        body: [
          'Per day: the customers with an event that day. Over a range: each customer once, however many days they were active — so the range’s figure is less than the sum of the days.',
          'Events sent without any identifier are not counted here.',
        ],
        related: ['profiles', 'identified-share'],
      },
      {
        id: 'identified-share',
        term: 'Identified share (active customers)',
        short: 'Of the active customers, the share known by a user id (they signed in or were identified) rather than by an anonymous device id only.',
        body: [
          'Identified customers are the active customers with at least one event in the period that carries a userId; the share is identified ÷ active customers, per day and over the range.',
          'It is a share of the customers active in the period, not of every profile ever seen: the Profiles card gives that one (identified profiles).',
        ],
        read: 'A higher share means more of the audience can be reached and measured across devices; it rises with sign-ins, newsletter sign-ups and checkouts.',
        related: ['active-customers', 'profiles', 'identified-profiles'],
      },
      {
        id: 'identified-profiles',
        term: 'Identified profiles',
        short: 'Of every profile Rapport holds, all time, the share known by a user id or an email address rather than by anonymous device ids only.',
        body: [
          'Counted over the whole profile store as it is now: profiles merged into another count once. A profile is identified when it holds a user_id or an email identifier, from any source (website, app, CRM, newsletter).',
          'Unlike the identified share of active customers, it does not depend on the period picked: visitors who never came back still count.',
        ],
        read: 'Identified profiles can be reached by e-mail and recognised on every device; the rest are visitors known only by a cookie or device id.',
        related: ['profiles', 'identified-share'],
      },
      {
        id: 'rejected-events',
        term: 'Rejected events (validation errors)',
        short: 'Requests to the tracking API (/v1/track, /v1/batch, …) the server refused — bad JSON, a missing field, an unknown write key, too large — so nothing of them was stored.',
        body: [
          'The sender got an error answer (400, 401, 413) whose message names the field or limit at fault; the console shows the same message and the start of the request as it was sent.',
          'The server keeps the newest 200 in memory, with the first 2 KB of each; a restart starts the list again from zero.',
        ],
        read: 'A steady stream from one source usually means a bug in that website or app (an event without a name, a wrong type): fix the sender, the events are not stored until then.',
        related: ['events', 'write-key'],
      },
      {
        id: 'orders',
        term: 'Orders',
        short: 'The number of “Order Completed” events (Segment’s e-commerce spec) in the period.',
        body: ['Each Order Completed event counts once; a duplicate sent with the same messageId within a day is stored once.'],
        related: ['revenue', 'average-order-value'],
      },
      {
        id: 'revenue',
        term: 'Revenue',
        short: 'The sum of properties.revenue over the “Order Completed” events in the period.',
        body: [
          'Orders whose revenue is missing or not a number count as orders but add nothing. Amounts are added as sent: Rapport does not convert currencies, so the console shows a currency only when every order names the same one.',
        ],
        related: ['orders', 'average-order-value', 'clv'],
      },
      {
        id: 'average-order-value',
        term: 'Average order value',
        short: 'Revenue ÷ orders in the period.',
        body: ['Shown as a dash on days without orders (there is nothing to average).'],
        related: ['revenue', 'orders'],
      },
      {
        id: 'audiences',
        term: 'Audiences',
        short: 'Groups of customers defined by rules (“bought twice in 30 days and on the pro plan”), kept current as events arrive and time passes.',
        body: [
          'Entering and leaving an audience is recorded on the customer’s timeline and can be sent to destinations such as a CRM or an ad platform.',
        ],
        related: ['profiles', 'audience-size', 'audience-status'],
      },
      {
        id: 'journey',
        term: 'Journeys',
        short: 'Multi-step reactions to an event or to entering an audience: waits, waits for an event, branches, sends to destinations.',
        body: [
          'Each customer who triggers a journey gets an instance that walks its steps in order; it stops at a wait until its time comes and passes through branches and sends at once. Steps only go forward, so every journey ends.',
          'Only triggers after the journey was created start it: creating one does not reach back into history.',
        ],
        related: ['journey-counts', 'reentry', 'frequency-cap', 'audiences', 'destinations'],
      },
      {
        id: 'journey-counts',
        term: 'Journey counts',
        short: 'How many customers entered, are in (now), and left a journey and each of its steps, as of the last processed batch.',
        body: [
          'Entered: instances started; active (or “now” on a step): instances there right now — waiting, or a send held by quiet hours; exited: instances ended or moved on; dropped: instances ended because two profiles merged.',
          'Sends count sent and skipped messages (over the frequency cap, without consent, or a deleted destination); a wait for an event counts received and timed out; a branch counts then and else.',
        ],
        read: 'A step with many “now” is where customers are waiting; a send with many skipped is held back by the cap or by consent.',
        related: ['journey'],
      },
      {
        id: 'reentry',
        term: 'Re-entry',
        short: 'Whether a customer can go through a journey again: never, once the previous time has ended, or some days after the previous entry.',
        body: ['A customer is never in the same journey twice at once.'],
        related: ['journey'],
      },
      {
        id: 'frequency-cap',
        term: 'Frequency cap',
        short: 'At most so many sends of a journey to one customer in any window of so many days; sends over the cap are skipped and counted.',
        body: ['The cap counts the journey’s sends across all of a customer’s instances; a skipped send moves the customer on to the next step.'],
        related: ['journey', 'journey-counts'],
      },
      {
        id: 'audience-size',
        term: 'Audience size',
        short: 'How many customers are in the audience now.',
        body: [
          'In the builder it is a preview: the description evaluated over every profile right now, before saving (over 100,000 profiles an even sample gives an estimate).',
          'A saved audience’s size changes by itself as events arrive and as time windows (“within 7 days”) move on.',
        ],
        related: ['audiences'],
      },
      {
        id: 'audience-status',
        term: 'Audience status',
        short: 'Computing, evaluating or live: whether a new audience has been worked out over every customer’s history yet.',
        body: [
          'A new audience is first computed over the history (computing), then evaluated over the existing profiles (evaluating, with its progress), then kept current (live). Its size is complete once it is live.',
        ],
        related: ['audiences', 'audience-size'],
      },
      {
        id: 'audience-history',
        term: 'Membership over time',
        short: 'An audience’s size at the end of each day (UTC), with how many customers entered and exited it that day.',
        body: [
          'Every entry and exit is recorded as it happens, whatever caused it: an event, a trait change, a time window running out, a customer merged or deleted. The size is the number of members at the end of the day.',
          'Days without a change are shown with zero entries and exits; the size carries over.',
        ],
        read: 'Entries and exits that cancel out leave the size flat but show churn in the audience; a new audience has no history before it was saved.',
        related: ['audience-size', 'audiences'],
      },
      {
        id: 'computed-traits',
        term: 'Computed traits',
        short: 'Figures kept on every profile from its events: counts, sums, last seen, favourite category — over all time or the last N days.',
        body: ['They are defined once and recomputed over all history, then updated with every event; windows expire as time passes.'],
        related: ['profiles'],
      },
    ],
  },
  {
    title: 'Customer value',
    entries: [
      {
        id: 'clv',
        term: 'Customer lifetime value (CLV)',
        short: 'How much money a customer is expected to bring in over the next months (12 by default), money promised later counting a little less today.',
        body: [
          'From each customer’s purchase history — how often they bought again after the first purchase, when they last bought, and how long ago the first purchase was — two statistical models are fitted to all customers at once: BG/NBD for how often and for how long they buy, Gamma-Gamma for how much per purchase.',
          'CLV adds, month by month, the purchases expected that month × the expected spend per purchase, discounted by 1 % a month by default.',
        ],
        read: 'A ranking more than a promise: customers with a high CLV are the ones to protect. For one customer it is an average over what could happen. Check the holdout report before trusting it.',
        related: ['p-alive', 'expected-purchases', 'expected-spend', 'holdout-report'],
      },
      {
        id: 'repeat-buyers',
        term: 'Repeat buyers',
        short: 'Customers who bought again after their first purchase, on another day, before the calibration end.',
        body: [
          'Purchases of one customer on the same day count as one. The lifetime value models learn how often customers buy and when they stop from the repeat buyers: with none, they cannot be fitted.',
        ],
        read: 'Often a third or less of customers; the more there are, the steadier the predictions.',
        related: ['clv', 'p-alive'],
      },
      {
        id: 'p-alive',
        term: 'Probability alive (P(alive))',
        short: 'The chance that a customer has not quietly left.',
        body: [
          'Someone who bought every week and stopped two months ago is probably gone; someone who buys twice a year and bought last month is probably still there. Computed by the BG/NBD model; a customer who bought only once counts as alive (1).',
        ],
        related: ['churn-risk', 'clv'],
      },
      {
        id: 'churn-risk',
        term: 'Churn risk',
        short: '1 − P(alive): the chance that a customer has already left.',
        body: ['Written to profiles as the trait churn_risk, so that an audience such as “churn risk above 0.7 and predicted CLV above 100” finds valuable customers about to be lost.'],
        related: ['p-alive', 'clv'],
      },
      {
        id: 'expected-purchases',
        term: 'Expected purchases',
        short: 'How many purchases to expect from a customer over a coming period (12 months by default).',
        body: ['BG/NBD’s expectation given the customer’s history; it already accounts for the chance that the customer has left.'],
        related: ['clv', 'p-alive'],
      },
      {
        id: 'expected-spend',
        term: 'Expected spend per purchase',
        short: 'What a customer’s next purchase is likely to be worth.',
        body: ['Close to what they usually spend if they have bought many times; closer to what everyone spends if they have bought only once or twice (the Gamma-Gamma model).'],
        related: ['clv'],
      },
      {
        id: 'holdout-report',
        term: 'Holdout report',
        short: 'A check of the purchase model: fit it on history up to a date, predict the period after, compare with what really happened.',
        body: ['Shown overall and per group of customers by how often they had bought.'],
        read: 'Groups in the right order and totals within 10–15 % mean the model can be trusted for ranking customers. A prediction far below the actual says customers buy more than their history suggested (a campaign, a season); far above, that many have left.',
        related: ['clv'],
      },
    ],
  },
  {
    title: 'RFM',
    entries: [
      {
        id: 'rfm',
        term: 'RFM (recency, frequency, monetary value)',
        short: 'Three scores from 1 to 5 per customer: how recently they bought, how often, and how much in all.',
        body: [
          'Recency is the days since the last purchase, frequency the days with a purchase, monetary the total spend. Each is scored by fifths among your customers: 5 is the best fifth, 1 the worst; equal values share a score.',
        ],
        read: 'Scores are relative to your own customers: “5” is your best fifth, whatever the absolute numbers.',
        related: ['rfm-segments'],
      },
      {
        id: 'rfm-segments',
        term: 'RFM segments',
        short: 'A name for each group of customers by their recency and frequency scores.',
        body: [
          'Champions: bought recently and often. Loyal: buy often, fairly recently. Potential loyalists: recent, a few purchases. New customers: recent, one purchase. Promising: fairly recent, one purchase. Need attention: middling on both. About to sleep: middling recency, few purchases.',
          'At risk: used to buy often, not lately. Can’t lose them: bought very often, not lately. Hibernating: bought rarely, long ago.',
        ],
        read: 'Act on the movements: thank and keep champions and loyal customers; win back at-risk and can’t-lose-them customers before they are gone.',
        related: ['rfm', 'rfm-champions', 'rfm-loyal', 'rfm-at-risk', 'rfm-cant-lose-them', 'rfm-hibernating'],
      },
      {
        id: 'rfm-champions',
        term: 'Champions (RFM)',
        short: 'Bought recently and often: recency score 5 and frequency score 4 or 5.',
        body: ['Your best customers of the moment. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Thank them, ask for reviews and referrals, offer them what is new first; no discounts needed.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-loyal',
        term: 'Loyal (RFM)',
        short: 'Buy often and fairly recently: recency score 3 or 4, frequency score 4 or 5.',
        body: ['Regulars who are not quite the most recent. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Keep them close with loyalty rewards and early access; watch that they do not slip into at risk.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-potential-loyalists',
        term: 'Potential loyalists (RFM)',
        short: 'Recent customers with a few purchases: recency score 4 or 5, frequency score 2 or 3.',
        body: ['They have come back once or twice and could become regulars. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Recommend what goes with what they bought; a membership or subscription offer fits here.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-new-customers',
        term: 'New customers (RFM)',
        short: 'Bought very recently, for the first time: recency score 5, frequency score 1.',
        body: ['Their first purchase is fresh; the second one is the hardest to win. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Welcome them and make the second purchase easy.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-promising',
        term: 'Promising (RFM)',
        short: 'Bought fairly recently, once: recency score 4, frequency score 1.',
        body: ['First-time buyers from a little while ago. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Remind them of you with something relevant to their first purchase.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-need-attention',
        term: 'Need attention (RFM)',
        short: 'Middling on both: recency score 3, frequency score 3.',
        body: ['Neither recent nor frequent enough to count on. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'A limited-time offer or a personal recommendation before they drift away.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-about-to-sleep',
        term: 'About to sleep (RFM)',
        short: 'Bought a while ago and rarely: recency score 3, frequency score 1 or 2.',
        body: ['They may be forgetting you. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Reactivate with popular products or a reminder of what they liked; do not over-discount.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-cant-lose-them',
        term: 'Can’t lose them (RFM)',
        short: 'Bought very often, but not lately: recency score 1 or 2, frequency score 5.',
        body: ['Some of your best past customers, going quiet. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Win them back personally, before they are gone: ask what changed.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-at-risk',
        term: 'At risk (RFM)',
        short: 'Used to buy often, not lately: recency score 1 or 2, frequency score 3 or 4.',
        body: ['Good customers whose last purchase is getting old. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'A win-back campaign now, while they still remember you.',
        related: ['rfm-segments', 'rfm'],
      },
      {
        id: 'rfm-hibernating',
        term: 'Hibernating (RFM)',
        short: 'Bought rarely, long ago: recency score 1 or 2, frequency score 1 or 2.',
        body: ['Often the largest group, and the least likely to come back. Scores go from 1 (the fifth of customers who do worst) to 5 (the best fifth).'],
        read: 'Include them in broad campaigns only; do not spend much on each.',
        related: ['rfm-segments', 'rfm'],
      },
    ],
  },
  {
    title: 'Attribution',
    entries: [
      {
        id: 'attribution',
        term: 'Attribution',
        short: 'Which marketing channels deserve the credit for the orders.',
        body: [
          'A touchpoint is an event carrying campaign fields (utm_source, utm_medium, utm_campaign or Segment’s context.campaign). Its channel comes from grouping rules (google / cpc → Paid Search, newsletter → Email, no source → Direct, …).',
          'Each conversion is credited over its customer’s touchpoints in the 30 days before it; every model credits each conversion exactly once, so credits add up to the conversions and the revenue.',
        ],
        read: 'Where first touch is high, a channel brings new people in; where last touch is high, it closes. Markov and Shapley look at whole journeys and are the fairest basis for budget.',
        related: ['first-touch', 'last-touch', 'linear', 'time-decay', 'position-based', 'markov', 'shapley', 'channel-roi'],
      },
      {
        id: 'conversions',
        term: 'Conversions (attributed)',
        short: 'The orders (by default “Order Completed” events) in the period, each shared between the channels that led to it.',
        body: [
          'A model may give a channel part of an order, so a channel’s conversions can be a fraction (56.3). Every model shares each conversion exactly once: the channels’ conversions add up to the orders, and their revenue to the orders’ revenue.',
          'Orders without any touchpoint in the 30 days before them are credited to “(none)”.',
        ],
        related: ['attribution', 'journeys'],
      },
      {
        id: 'journeys',
        term: 'Journeys (without conversion)',
        short: 'Customers with campaign touchpoints in the period who did not convert.',
        body: ['They do not change the first-touch, last-touch, linear, time-decay or position-based credits, but Markov and Shapley use them: a channel that appears in many journeys that never convert earns less.'],
        related: ['attribution', 'markov', 'shapley'],
      },
      {
        id: 'first-touch',
        term: 'First touch',
        short: 'All the credit to the first touchpoint in the window: the channel that started the journey.',
        body: ['Favours channels that bring new people in (ads, social, referrals).'],
        related: ['attribution'],
      },
      {
        id: 'last-touch',
        term: 'Last touch',
        short: 'All the credit to the last touchpoint before the conversion: the channel that closed.',
        body: ['What most analytics tools show by default; it undervalues the channels that started the journey.'],
        related: ['attribution'],
      },
      {
        id: 'linear',
        term: 'Linear',
        short: 'The credit shared equally between every touchpoint of the journey.',
        body: ['A journey of an ad, a newsletter and a search gives each a third of the order.'],
        related: ['attribution'],
      },
      {
        id: 'time-decay',
        term: 'Time decay',
        short: 'Every touchpoint gets credit, halving with each half-life (7 days by default) before the conversion.',
        body: ['Touchpoints just before the order weigh most; old ones still count a little.'],
        related: ['attribution'],
      },
      {
        id: 'position-based',
        term: 'Position-based',
        short: '40 % of the credit to the first touchpoint, 40 % to the last, 20 % shared by those in between.',
        body: ['One touchpoint takes everything; two share it half and half.'],
        related: ['attribution'],
      },
      {
        id: 'markov',
        term: 'Markov (removal effect)',
        short: 'Credit in proportion to how much less likely customers would be to convert if that channel were removed.',
        body: [
          'Journeys, converting and not, form a chain of steps between channels; removing a channel from it shows how many conversions depend on it. Higher orders look at the last 2–4 channels instead of one.',
        ],
        read: 'A channel that looks weak under last touch but strong here is one you would miss if you cut it.',
        related: ['attribution', 'shapley'],
      },
      {
        id: 'shapley',
        term: 'Shapley value',
        short: 'Each channel’s average contribution over every order in which the channels could be added to a journey.',
        body: ['From game theory: a set of channels is worth the conversions of journeys that used only channels of that set; the credit is each channel’s fair share of that worth.'],
        related: ['attribution', 'markov'],
      },
    ],
  },
  {
    title: 'Channel ROI',
    entries: [
      {
        id: 'channel-roi',
        term: 'Channel ROI',
        short: 'For every channel and campaign: what it cost, what it brought back, and whether the next euro is better spent there or elsewhere.',
        body: [
          'Spend is imported per day, channel and campaign from the ad platforms’ exports; revenue and new customers are credited to channels under the attribution model you choose.',
          'A line without spend on record has no CAC, ROAS, LTV:CAC or payback (shown as a dash): no spend on record is not the same as free.',
        ],
        related: ['spend', 'cac', 'roas', 'ltv-cac', 'payback', 'marginal-roas', 'attribution'],
      },
      {
        id: 'spend',
        term: 'Spend',
        short: 'What was paid for marketing per day, channel and campaign, as imported.',
        body: ['Use the channel names the attribution shows (Paid Search, Paid Social, Email, …) so that costs and credited revenue meet.'],
        related: ['channel-roi'],
      },
      {
        id: 'new-customers',
        term: 'New customers (acquired)',
        short: 'Customers whose first purchase ever fell in the period, credited to channels by the attribution model.',
        body: ['A customer who had bought before the period is not new, whatever channel brought them back. Under a model that shares credit, a channel can acquire half a customer.'],
        related: ['cac', 'ltv', 'channel-roi'],
      },
      {
        id: 'ltv',
        term: 'LTV (of acquired customers)',
        short: 'What the new customers a channel acquired are worth: their revenue to date plus the CLV predicted for them.',
        body: ['The prediction is the customer lifetime value over the horizon (12 months by default). When the lifetime value models cannot be fitted (too few repeat buyers), LTV is the revenue to date, and the answer says so.'],
        related: ['ltv-cac', 'clv', 'new-customers'],
      },
      {
        id: 'cac',
        term: 'CAC (customer acquisition cost)',
        short: 'What one new customer cost: spend ÷ new customers.',
        body: ['New customers are first purchases ever, credited to channels by the attribution model; a customer who had bought before is not new.'],
        related: ['ltv-cac', 'payback', 'channel-roi'],
      },
      {
        id: 'roas',
        term: 'ROAS (return on ad spend)',
        short: 'Revenue per unit spent: revenue ÷ spend. 3 means 3 back for every 1 spent.',
        body: ['Revenue is what the attribution model credits to the channel or campaign.'],
        read: 'Below 1 the channel does not pay for itself in revenue, before any margin.',
        related: ['marginal-roas', 'channel-roi'],
      },
      {
        id: 'ltv-cac',
        term: 'LTV:CAC',
        short: 'Lifetime value per unit spent to acquire customers: margin × LTV ÷ spend.',
        body: ['LTV is the new customers’ revenue to date plus the CLV predicted over the horizon; the margin (1 by default) turns revenue into profit.'],
        read: 'With a real margin, about 3 or more is usually considered healthy; below 1 the customers cost more than they will bring.',
        related: ['cac', 'clv', 'channel-roi'],
      },
      {
        id: 'payback',
        term: 'Payback (months)',
        short: 'How long until a new customer has paid back what they cost to acquire.',
        body: ['CAC ÷ (margin × the new customers’ monthly revenue since they were acquired; each counts at least a month).'],
        related: ['cac', 'channel-roi'],
      },
      {
        id: 'elasticity',
        term: 'Elasticity (response curve)',
        short: 'How much a channel’s revenue grows when its spend grows: 0 = more spend brings nothing more, 1 = revenue grows in proportion.',
        body: ['The slope of log(credited revenue of the day) against log(spend of the day), over the days of the period with both, clamped to 0–1. It needs at least 14 such days and spend that varies; otherwise the marginal ROAS uses the average ROAS (basis “average”).'],
        read: 'A reading of your own history, not an experiment: seasons that move spend and sales together inflate it.',
        related: ['marginal-roas', 'roas'],
      },
      {
        id: 'marginal-roas',
        term: 'Marginal ROAS',
        short: 'What the next unit of spend returns: elasticity × ROAS.',
        body: [
          'Spending twice as much rarely brings twice the revenue. The elasticity (0: more spend brings nothing more; 1: revenue grows in proportion) is fitted over the days of the range; it needs at least 14 days with spend and revenue, else the average ROAS stands in.',
        ],
        read: 'A channel at ROAS 4 with elasticity 0.3 returns about 1.2 for its next unit — less than one at ROAS 2 with elasticity 0.9 (1.8). Confirm big shifts with a holdout test.',
        related: ['roas', 'channel-roi'],
      },
    ],
  },
  {
    title: 'Analytics',
    entries: [
      {
        id: 'trends',
        term: 'Trends',
        short: 'How much of an event happened per day or week: events, different customers, or the sum or average of a number the events carry.',
        body: [
          'Events count by the day (UTC) or the week (Monday to Sunday, UTC) they happened, not when they arrived. Every period of the range is shown, empty ones as 0.',
          'A breakdown splits the line by the value a property has on each event (a category, a campaign source): the values with the largest totals get a line each, the others are summed into “(other)”, and events without the property form “(no value)”.',
        ],
        read: 'The first week of a weekly chart may start before the period does: only its days inside the period count, so it can look low.',
        related: ['unique-customers', 'events'],
      },
      {
        id: 'unique-customers',
        term: 'Unique customers',
        short: 'Different customers with at least one of the events in a day or week; each counts once however many events they had.',
        body: [
          'Customers are profiles as they are now: a visitor identified and merged later counts as the customer, also for the days before the merge. Events without any identifier never count here.',
          'The total over the whole period counts each customer once, so it is less than the sum of the days.',
        ],
        related: ['active-customers', 'trends'],
      },
      {
        id: 'funnel',
        term: 'Funnel',
        short: 'Of the customers who did the first step, how many then did each next step, in order, within the conversion window.',
        body: [
          'A customer reaches step k when they have events of steps 1 … k in that order (each strictly later than the one before), the last within the window from the first. Other events in between do not matter.',
          'Only events in the period count, for every step. Customers are counted once, at the furthest step they reached.',
        ],
        related: ['funnel-conversion', 'step-conversion', 'drop-off', 'time-to-convert'],
      },
      {
        id: 'funnel-conversion',
        term: 'Conversion (from step 1)',
        short: 'The customers who reached a step, as a share of those who did the first step.',
        body: ['100% for step 1. The last step’s conversion is the funnel’s overall conversion rate.'],
        related: ['funnel', 'step-conversion'],
      },
      {
        id: 'step-conversion',
        term: 'Step conversion',
        short: 'The customers who reached a step, as a share of those who reached the step before.',
        body: ['Shows which single step loses the most people, whatever happened before it.'],
        related: ['funnel', 'drop-off'],
      },
      {
        id: 'drop-off',
        term: 'Drop-off',
        short: 'How many customers reached the step before but not this one (within the window).',
        body: ['The previous step’s customers minus this step’s.'],
        related: ['funnel', 'step-conversion'],
      },
      {
        id: 'time-to-convert',
        term: 'Time between steps',
        short: 'The median time customers took from the previous step to this one, and from the first step to the last.',
        body: [
          'The median: half the customers took less, half took more. It is measured on each customer’s best chain of steps (the one that went furthest, starting latest).',
        ],
        related: ['funnel'],
      },
      {
        id: 'retention',
        term: 'Retention',
        short: 'Of the customers who first did the start event in a day or week (a cohort), the share who did the return event in each following day or week.',
        body: [
          'A customer’s cohort is the period of their first start event ever. Week 1 is the calendar week after the cohort’s week (not “7 days after”); week 0 is the cohort itself, always 100%.',
          'A return counts once per customer and period. Periods that have not started yet are left blank: they are not 0%, just not known. The current period counts what happened so far.',
          'The average row weighs each cohort by its size, over the cohorts where that period is known.',
        ],
        read: 'Read a column down to compare cohorts at the same age, a row across to follow one cohort over time.',
        related: ['cohort', 'active-customers'],
      },
      {
        id: 'cohort',
        term: 'Cohort',
        short: 'The customers whose first start event fell in the same day or week.',
        body: ['A customer belongs to one cohort only, the one of their very first start event, even when it happened before the period shown (then they are in none of the rows).'],
        related: ['retention'],
      },
      {
        id: 'paths',
        term: 'Paths',
        short: 'What customers did right after an event (or just before it), step by step: which events came next, and how many customers took each way.',
        body: [
          'After: each customer’s first matching event in the period, then their next events in time order. Before: their last matching event, and the events that led to it. Every event counts as a step, of any type; with “the same event in a row counts once”, three views of Pricing in a row are one step.',
          'A customer with fewer steps than shown ends in “(end)” (or begins in “(start)”). Between two steps only the largest flows are kept; the other customers go to “(other)”, and their paths go on from there, so every step adds up to the customers still on their path.',
        ],
        read: 'Follow the thickest flows from the event: they are the common journeys. A large “(end)” right after the event means many customers stopped there.',
        related: ['sankey', 'funnel', 'events'],
      },
      {
        id: 'sankey',
        term: 'Sankey chart',
        short: 'A flow chart: boxes in columns (the steps), bands between them whose width is how many customers went from one box to the next.',
        body: [
          'Each column is one step; each box an event at that step, as tall as the customers who were there. The same event at two steps is two boxes, of the same colour. Grey boxes are “(end)”, “(start)” and “(other)”.',
          'Hover over a band or a box for its customers; the table under the chart lists every flow with its share of the box it leaves.',
        ],
        related: ['paths'],
      },
    ],
  },
  {
    title: 'Engagement and surveys',
    entries: [
      {
        id: 'engagement-score',
        term: 'Engagement score',
        short: 'How actively a customer has engaged lately: every action earns points, and points fade with time.',
        body: ['Each event is worth its weight (an order more than a page view), halving every half-life (30 days by default) since it happened. Events without a weight count 0.'],
        read: 'A customer very active a year ago and silent since scores low.',
        related: ['rfm'],
      },
      {
        id: 'nps',
        term: 'NPS (Net Promoter Score)',
        short: 'Of the customers who answered “how likely are you to recommend us, 0 to 10?”, the percentage of fans (9–10) minus the percentage of critics (0–6).',
        body: ['From −100 to 100. Every answer counts; answers off the scale are counted as invalid and left out.'],
        related: ['csat'],
      },
      {
        id: 'csat',
        term: 'CSAT (customer satisfaction)',
        short: 'The percentage of satisfied answers (4 or 5 out of 5 by default) to “how satisfied were you?”.',
        body: ['Every answer counts; answers off the scale are counted as invalid and left out.'],
        related: ['nps'],
      },
      {
        id: 'k-factor',
        term: 'Referral k-factor',
        short: 'How many new customers each customer brings in by inviting others.',
        body: ['k = invites sent per active customer × the share of invites that became a sign-up.'],
        read: 'Above 1, growth feeds itself; 0.2 means five customers bring one more.',
        related: ['active-customers'],
      },
    ],
  },
  {
    title: 'Sources and destinations',
    entries: [
      {
        id: 'write-key',
        term: 'Write key',
        short: 'The secret a source puts in every request it sends, so Rapport knows which website, app or server the events come from.',
        body: [
          'Each source has one. SDKs send it as the Basic-auth user name; it only lets them send events, never read anything.',
          'It is shown once, when the source is created: keep it in the website’s or app’s settings. A lost key means creating a new source.',
        ],
        related: ['events'],
      },
      {
        id: 'destinations',
        term: 'Destinations',
        short: 'Webhooks Rapport sends messages to — an audience entered or exited, a journey step, a test — signed, from a queue of their own.',
        body: [
          'Every destination keeps its messages in a persisted queue (the outbox): nothing is lost when Rapport or the receiver goes down, and a slow destination never holds up the others.',
          'Each request is signed with the destination’s secret (X-Rapport-Signature), shown once when it is created.',
        ],
        related: ['queued', 'delivered', 'failed-attempts', 'dead-letters', 'audiences'],
      },
      {
        id: 'queued',
        term: 'Queued',
        short: 'Messages waiting for delivery to a destination, or in flight now.',
        body: ['A message leaves the queue when the receiver answers 2xx, or when it becomes a dead letter.'],
        read: 'A queue that keeps growing means the receiver is slow, down or rate-limited.',
        related: ['delivered', 'dead-letters'],
      },
      {
        id: 'delivered',
        term: 'Delivered',
        short: 'Messages the receiver acknowledged with a 2xx answer, ever.',
        body: ['Delivery is at least once: after a crash or a lost answer the same message can come again with the same Idempotency-Key.'],
        related: ['queued', 'failed-attempts'],
      },
      {
        id: 'failed-attempts',
        term: 'Failed attempts',
        short: 'Requests to the destination that did not get a 2xx answer, ever: no answer, a timeout, 429 or 5xx are retried; other answers end the message at once.',
        body: [
          'Retries wait a random, growing delay (or the receiver’s Retry-After). After the destination’s maximum number of attempts the message becomes a dead letter.',
          'While a receiver does not answer at all, the destination is “down”: Rapport probes it and those probes do not use up attempts.',
        ],
        related: ['dead-letters', 'delivered'],
      },
      {
        id: 'dead-letters',
        term: 'Dead letters',
        short: 'Messages Rapport gave up on: refused by the receiver (a 4xx such as 400 or 422) or failed too many times.',
        body: [
          'Each keeps its body, the last status and error, and its attempts, so the cause can be read and fixed.',
          'Replay puts them back at the end of the queue with fresh attempts; Delete drops them for good. They hold personal data, so only admins and marketers see them.',
        ],
        read: 'Fix the receiver (or the template) first, then replay: replaying into the same error makes new dead letters.',
        related: ['failed-attempts', 'destinations', 'delivery-failures'],
      },
      {
        id: 'delivery-failures',
        term: 'Delivery failures',
        short: 'Destinations that are down (their receiver does not answer) or hold dead letters (messages given up on).',
        body: [
          'A destination is down while its receiver does not answer at all: messages wait in its queue and are delivered once it answers again. Dead letters are messages the receiver refused (a 4xx) or that failed too many times: they wait for someone to fix the cause and replay them.',
        ],
        read: 'Open the destination on Sources & destinations: its last error says what the receiver answered; replay the dead letters once it is fixed.',
        related: ['destinations', 'dead-letters', 'failed-attempts'],
      },
      {
        id: 'import-mapping',
        term: 'Import mapping',
        short: 'A small TOML text saying how each row of a file (a CRM export, orders, tickets) becomes an event: its type and name, its time, who it is about, its properties.',
        body: [
          'It names the file’s columns for the event’s timestamp, its message id (importing the same row twice then stores it once), the customer’s identifiers (user id, email…) and each property, with a type (number, integer, true/false) where needed.',
          'Every key is checked before anything is imported; a mistake is reported with the mapping’s line. docs/import.md describes every key; the templates are the ready-made mappings of examples/.',
        ],
        related: ['rejected-rows', 'events'],
      },
      {
        id: 'rejected-rows',
        term: 'Rejected rows',
        short: 'Rows of an imported file that did not become events — a missing identifier, a value of the wrong type, a time that does not parse — each kept with its line and the reason.',
        body: [
          'A bad row never stops an import: the others are imported. Download the rejected rows (one JSON object a line: line, reason, row), fix them or the mapping, and import again: rows already stored are recognised by their message id and not stored twice.',
        ],
        related: ['import-mapping'],
      },
    ],
  },
];

/** Every entry, in glossary order. */
export const ENTRIES: readonly GlossaryEntry[] = GLOSSARY.flatMap((s) => s.entries);

const BY_ID = new Map(ENTRIES.map((e) => [e.id, e]));

/** The entry with this id, or undefined. */
export function glossaryEntry(id: string): GlossaryEntry | undefined {
  return BY_ID.get(id);
}

/** The console link to an entry: `#/glossary/<id>`. */
export function glossaryHref(id: string): string {
  return `#/glossary/${id}`;
}
