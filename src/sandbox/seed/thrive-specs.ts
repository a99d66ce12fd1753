/**
 * Thrive's side of the demo organisation, as data: the audiences (structures, their child
 * audiences, smart ones) and the job titles people hold in them.
 */

export interface AudienceSpec {
  readonly key: string;
  readonly name: string;
  readonly reference: string;
  readonly parent: string | null;
  readonly type: 'smart' | 'manual';
  readonly apiControlled: boolean;
  /** An organisational unit people hold positions in (smart audiences are not). */
  readonly unit: boolean;
}

export const AUDIENCE_SPECS: readonly AudienceSpec[] = [
  aud('headOffice', 'Head Office', 'structure-head-office', null, 'manual', true),
  aud('retail', 'Retail', 'structure-retail', null, 'manual', true),
  aud('logistics', 'Logistics', 'structure-logistics', null, 'manual', false),
  aud('technology', 'Technology', 'structure-technology', null, 'manual', true),
  aud('service', 'Customer Service', 'structure-customer-service', null, 'smart', false),
  aud('contractors', 'Contractors', 'structure-contractors', null, 'manual', false),
  aud('finance', 'Finance', 'ho-finance', 'headOffice', 'manual', true),
  aud('peopleCulture', 'People & Culture', 'ho-people-culture', 'headOffice', 'manual', true),
  aud('legal', 'Legal', 'ho-legal', 'headOffice', 'manual', true),
  aud('newStarters', 'New Starters', 'ho-new-starters', 'headOffice', 'smart', false, false),
  aud('london', 'London Stores', 'retail-london', 'retail', 'manual', true),
  aud('manchester', 'Manchester Stores', 'retail-manchester', 'retail', 'manual', true),
  aud('storeManagers', 'Store Managers', 'retail-store-managers', 'retail', 'smart', false, false),
  aud('warehouse', 'Warehouse North', 'logistics-warehouse-north', 'logistics', 'manual', false),
  aud('fleet', 'Fleet', 'logistics-fleet', 'logistics', 'manual', false),
  aud('engineering', 'Engineering', 'tech-engineering', 'technology', 'manual', true),
  aud('dataAnalytics', 'Data & Analytics', 'tech-data-analytics', 'technology', 'manual', true),
  aud('itSupport', 'IT Support', 'tech-it-support', 'technology', 'manual', true),
  aud('tier1', 'Tier 1 Support', 'cs-tier-1', 'service', 'manual', false),
  aud('tier2', 'Tier 2 Support', 'cs-tier-2', 'service', 'manual', false),
];

function aud(
  key: string,
  name: string,
  reference: string,
  parent: string | null,
  type: 'smart' | 'manual',
  apiControlled: boolean,
  unit = true,
): AudienceSpec {
  return { key, name, reference, parent, type, apiControlled, unit };
}

export const DIRECTOR_TITLES: Readonly<Record<string, string>> = {
  headOffice: 'Chief Operating Officer',
  retail: 'Retail Director',
  logistics: 'Logistics Director',
  technology: 'Chief Technology Officer',
  service: 'Customer Service Director',
};

export const STAFF_TITLES: Readonly<Record<string, readonly string[]>> = {
  finance: ['Accountant', 'Payroll Specialist'],
  peopleCulture: ['HR Advisor', 'Learning Coordinator'],
  legal: ['Paralegal', 'Legal Counsel'],
  london: ['Sales Assistant', 'Visual Merchandiser'],
  manchester: ['Sales Assistant', 'Stock Controller'],
  warehouse: ['Warehouse Operative', 'Forklift Driver'],
  fleet: ['HGV Driver', 'Fleet Planner'],
  engineering: ['Software Engineer', 'QA Engineer'],
  dataAnalytics: ['Data Analyst', 'Data Engineer'],
  itSupport: ['Service Desk Analyst', 'Systems Administrator'],
  tier1: ['Customer Advisor'],
  tier2: ['Senior Customer Advisor', 'Technical Support Specialist'],
};
