// The ready-made import mappings of examples/ (docs/import.md), read by Vite as text (`?raw`) so
// that they are never copied: the Sources page offers them as templates to edit. Each names the
// sample file it was written for, so that picking a file can suggest its template.
import crmContacts from '../../../examples/crm_contacts.toml?raw';
import orders from '../../../examples/orders.toml?raw';
import socialMentions from '../../../examples/social_mentions.toml?raw';
import supportTickets from '../../../examples/support_tickets.toml?raw';

export interface MappingTemplate {
  id: string; // the file's stem: "orders" for orders.toml (and orders.csv)
  label: string;
  sample: string; // the sample export in examples/
  text: string;
}

export const MAPPING_TEMPLATES: readonly MappingTemplate[] = [
  { id: 'crm_contacts', label: 'CRM contacts (CSV → identify)', sample: 'crm_contacts.csv', text: crmContacts },
  { id: 'orders', label: 'Shop orders (CSV → Order Completed)', sample: 'orders.csv', text: orders },
  { id: 'support_tickets', label: 'Support tickets (JSON Lines → Ticket Opened)', sample: 'support_tickets.jsonl', text: supportTickets },
  { id: 'social_mentions', label: 'Social mentions (JSON Lines → Social Mention)', sample: 'social_mentions.jsonl', text: socialMentions },
];
