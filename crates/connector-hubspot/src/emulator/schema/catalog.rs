//! What the emulated portal defines: HubSpot's default properties of each object type (with their
//! labels), the portal's custom ones, enumeration options and the default pipelines.

use super::{Access, Enumeration, Kind, Listing, ObjectType, Property};

pub fn properties(ty: ObjectType) -> &'static [Property] {
    match ty {
        ObjectType::Contacts => CONTACT,
        ObjectType::Companies => COMPANY,
        ObjectType::Deals => DEAL,
        ObjectType::Leads => LEAD,
        ObjectType::Meetings => MEETING,
    }
}

const fn property(name: &'static str, label: &'static str, kind: Kind, custom: bool, access: Access) -> Property {
    Property { name, label, kind, custom, access, field_type: None }
}

const fn hubspot(name: &'static str, label: &'static str, kind: Kind) -> Property {
    property(name, label, kind, false, Access::Writable)
}

const fn custom(name: &'static str, label: &'static str, kind: Kind) -> Property {
    property(name, label, kind, true, Access::Writable)
}

/// Set by HubSpot (ids, timestamps).
const fn system(name: &'static str, label: &'static str, kind: Kind) -> Property {
    property(name, label, kind, false, Access::ReadOnly)
}

/// Derived by HubSpot from other values (counters and roll-ups too).
const fn calculated(name: &'static str, label: &'static str, kind: Kind) -> Property {
    property(name, label, kind, false, Access::Calculated)
}

/// A calculation property the portal defined.
const fn custom_calculated(name: &'static str, label: &'static str, kind: Kind) -> Property {
    property(name, label, kind, true, Access::Calculated)
}

pub static LIFECYCLE_STAGES: Enumeration = Enumeration {
    options: &[
        ("Subscriber", "subscriber"),
        ("Lead", "lead"),
        ("Marketing Qualified Lead", "marketingqualifiedlead"),
        ("Sales Qualified Lead", "salesqualifiedlead"),
        ("Opportunity", "opportunity"),
        ("Customer", "customer"),
        ("Evangelist", "evangelist"),
        ("Other", "other"),
    ],
    listing: Listing::Values,
    numeric_allowed: true,
};

static LEAD_STATUSES: Enumeration = Enumeration {
    options: &[
        ("New", "NEW"),
        ("Open", "OPEN"),
        ("In Progress", "IN_PROGRESS"),
        ("Open Deal", "OPEN_DEAL"),
        ("Unqualified", "UNQUALIFIED"),
        ("Attempted to Contact", "ATTEMPTED_TO_CONTACT"),
        ("Connected", "CONNECTED"),
        ("Bad Timing", "BAD_TIMING"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

/// The default deal pipeline's stages, with the win probability HubSpot gives each.
pub static DEAL_STAGES: Enumeration = Enumeration {
    options: &[
        ("Appointment Scheduled", "appointmentscheduled"),
        ("Qualified To Buy", "qualifiedtobuy"),
        ("Presentation Scheduled", "presentationscheduled"),
        ("Decision Maker Bought-In", "decisionmakerboughtin"),
        ("Contract Sent", "contractsent"),
        ("Closed Won", "closedwon"),
        ("Closed Lost", "closedlost"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub fn deal_stage_probability(stage: &str) -> Option<&'static str> {
    Some(match stage {
        "appointmentscheduled" => "0.2",
        "qualifiedtobuy" => "0.4",
        "presentationscheduled" => "0.6",
        "decisionmakerboughtin" => "0.8",
        "contractsent" => "0.9",
        "closedwon" => "1.0",
        "closedlost" => "0.0",
        _ => return None,
    })
}

pub const DEFAULT_DEAL_PIPELINE: &str = "default";
static DEAL_PIPELINES: Enumeration = Enumeration {
    options: &[("Sales Pipeline", DEFAULT_DEAL_PIPELINE)],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub const DEFAULT_LEAD_PIPELINE: &str = "lead-pipeline-id";
static LEAD_PIPELINES: Enumeration = Enumeration {
    options: &[("Lead pipeline", DEFAULT_LEAD_PIPELINE)],
    listing: Listing::Values,
    numeric_allowed: false,
};

pub const FIRST_LEAD_STAGE: &str = "new-stage-id";
static LEAD_STAGES: Enumeration = Enumeration {
    options: &[
        ("New", FIRST_LEAD_STAGE),
        ("Attempting", "attempting-stage-id"),
        ("Connected", "connected-stage-id"),
        ("Qualified", "qualified-stage-id"),
        ("Unqualified", "unqualified-stage-id"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

static LEAD_LABELS: Enumeration = Enumeration {
    options: &[("Cold", "COLD"), ("Warm", "WARM"), ("Hot", "HOT")],
    listing: Listing::LabelsAndValues,
    numeric_allowed: false,
};

static MEETING_OUTCOMES: Enumeration = Enumeration {
    options: &[
        ("Scheduled", "SCHEDULED"),
        ("Completed", "COMPLETED"),
        ("Rescheduled", "RESCHEDULED"),
        ("No Show", "NO_SHOW"),
        ("Canceled", "CANCELED"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

/// The currencies the emulated portal has turned on (HubSpot's multi-currency setting).
static CURRENCIES: Enumeration = Enumeration {
    options: &[
        ("Australian Dollar", "AUD"),
        ("Brazilian Real", "BRL"),
        ("Canadian Dollar", "CAD"),
        ("Swiss Franc", "CHF"),
        ("Chinese Yuan", "CNY"),
        ("Czech Koruna", "CZK"),
        ("Danish Krone", "DKK"),
        ("Euro", "EUR"),
        ("British Pound", "GBP"),
        ("Hong Kong Dollar", "HKD"),
        ("Indian Rupee", "INR"),
        ("Japanese Yen", "JPY"),
        ("South Korean Won", "KRW"),
        ("Mexican Peso", "MXN"),
        ("Norwegian Krone", "NOK"),
        ("New Zealand Dollar", "NZD"),
        ("Polish Zloty", "PLN"),
        ("Swedish Krona", "SEK"),
        ("Singapore Dollar", "SGD"),
        ("US Dollar", "USD"),
        ("South African Rand", "ZAR"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

/// HubSpot's default lead types.
static LEAD_TYPES: Enumeration = Enumeration {
    options: &[("New Business", "NEW_BUSINESS"), ("Upsell", "UPSELL"), ("Re-attempting", "RE_ATTEMPTING")],
    listing: Listing::Values,
    numeric_allowed: false,
};

static DEAL_TYPES: Enumeration = Enumeration {
    options: &[("New Business", "newbusiness"), ("Existing Business", "existingbusiness")],
    listing: Listing::Values,
    numeric_allowed: false,
};

/// Part of HubSpot's ~150 default `industry` options for companies (an enumeration there, unlike the
/// contacts' free-text `industry`).
static INDUSTRIES: Enumeration = Enumeration {
    options: &[
        ("Accounting", "ACCOUNTING"),
        ("Airlines/Aviation", "AIRLINES_AVIATION"),
        ("Automotive", "AUTOMOTIVE"),
        ("Banking", "BANKING"),
        ("Biotechnology", "BIOTECHNOLOGY"),
        ("Computer Hardware", "COMPUTER_HARDWARE"),
        ("Computer & Network Security", "COMPUTER_NETWORK_SECURITY"),
        ("Computer Software", "COMPUTER_SOFTWARE"),
        ("Construction", "CONSTRUCTION"),
        ("Consumer Goods", "CONSUMER_GOODS"),
        ("Education Management", "EDUCATION_MANAGEMENT"),
        ("Financial Services", "FINANCIAL_SERVICES"),
        ("Food & Beverages", "FOOD_BEVERAGES"),
        ("Hospital & Health Care", "HOSPITAL_HEALTH_CARE"),
        ("Information Technology and Services", "INFORMATION_TECHNOLOGY_AND_SERVICES"),
        ("Insurance", "INSURANCE"),
        ("Internet", "INTERNET"),
        ("Logistics and Supply Chain", "LOGISTICS_AND_SUPPLY_CHAIN"),
        ("Management Consulting", "MANAGEMENT_CONSULTING"),
        ("Marketing and Advertising", "MARKETING_AND_ADVERTISING"),
        ("Pharmaceuticals", "PHARMACEUTICALS"),
        ("Real Estate", "REAL_ESTATE"),
        ("Retail", "RETAIL"),
        ("Telecommunications", "TELECOMMUNICATIONS"),
        ("Transportation/Trucking/Railroad", "TRANSPORTATION_TRUCKING_RAILROAD"),
        ("Utilities", "UTILITIES"),
        ("Wholesale", "WHOLESALE"),
    ],
    listing: Listing::Values,
    numeric_allowed: false,
};

static CONTACT: &[Property] = &[
    hubspot("email", "Email", Kind::Email),
    hubspot("firstname", "First Name", Kind::Text),
    hubspot("lastname", "Last Name", Kind::Text),
    hubspot("phone", "Phone Number", Kind::Text),
    hubspot("mobilephone", "Mobile Phone Number", Kind::Text),
    hubspot("fax", "Fax Number", Kind::Text),
    hubspot("company", "Company Name", Kind::Text),
    hubspot("jobtitle", "Job Title", Kind::Text),
    hubspot("website", "Website URL", Kind::Text),
    hubspot("address", "Street Address", Kind::Text),
    hubspot("city", "City", Kind::Text),
    hubspot("state", "State/Region", Kind::Text),
    hubspot("zip", "Postal Code", Kind::Text),
    hubspot("country", "Country/Region", Kind::Text),
    hubspot("industry", "Industry", Kind::Text),
    hubspot("annualrevenue", "Annual Revenue", Kind::Number),
    hubspot("salutation", "Salutation", Kind::Text),
    hubspot("message", "Message", Kind::Text),
    hubspot("date_of_birth", "Date of birth", Kind::Text),
    hubspot("hubspot_owner_id", "Contact owner", Kind::Owner),
    hubspot("lifecyclestage", "Lifecycle Stage", Kind::Enumeration(&LIFECYCLE_STAGES)).shown_as("radio"),
    hubspot("hs_lead_status", "Lead Status", Kind::Enumeration(&LEAD_STATUSES)).shown_as("radio"),
    hubspot("hs_analytics_source", "Original Traffic Source", Kind::Text),
    system("createdate", "Create Date", Kind::DateTime),
    system("lastmodifieddate", "Last Modified Date", Kind::DateTime),
    system("hs_object_id", "Record ID", Kind::Number),
    calculated("num_notes", "Number of Sales Activities", Kind::Number),
    custom("loyaltyScore", "Loyalty score (legacy)", Kind::Number),
    // Text, as the recorded portal defines them (its properties API answers under fixtures/hubspot/contact).
    custom("loyalty_score", "Loyalty score", Kind::Text),
    custom("lead_source", "Lead source", Kind::Text),
    custom("loyalty_tier", "Loyalty tier", Kind::Text),
    custom("nps_score", "NPS score", Kind::Text),
    custom("interests", "Interests", Kind::Text),
    custom("newsletter_opt_in", "Newsletter opt-in", Kind::Text),
    custom_calculated("days_to_first_touch", "Days to first touch", Kind::Number),
];

static COMPANY: &[Property] = &[
    hubspot("name", "Company name", Kind::Text),
    hubspot("domain", "Company Domain Name", Kind::Text),
    hubspot("phone", "Phone Number", Kind::Text),
    hubspot("website", "Website URL", Kind::Text),
    hubspot("address", "Street Address", Kind::Text),
    hubspot("city", "City", Kind::Text),
    hubspot("state", "State/Region", Kind::Text),
    hubspot("zip", "Postal Code", Kind::Text),
    hubspot("country", "Country/Region", Kind::Text),
    hubspot("industry", "Industry", Kind::Enumeration(&INDUSTRIES)),
    hubspot("description", "Description", Kind::Text).shown_as("textarea"),
    hubspot("numberofemployees", "Number of Employees", Kind::Number),
    hubspot("annualrevenue", "Annual Revenue", Kind::Number),
    hubspot("hubspot_owner_id", "Company owner", Kind::Owner),
    hubspot("lifecyclestage", "Lifecycle Stage", Kind::Enumeration(&LIFECYCLE_STAGES)).shown_as("radio"),
    system("createdate", "Create Date", Kind::DateTime),
    system("hs_lastmodifieddate", "Last Modified Date", Kind::DateTime),
    system("hs_object_id", "Record ID", Kind::Number),
    calculated("num_notes", "Number of Sales Activities", Kind::Number),
    calculated("num_associated_contacts", "Number of Associated Contacts", Kind::Number),
    custom("lead_source", "Lead source", Kind::Text),
    custom("tier", "Tier", Kind::Text),
];

static DEAL: &[Property] = &[
    hubspot("dealname", "Deal Name", Kind::Text),
    hubspot("amount", "Amount", Kind::Number),
    hubspot("deal_currency_code", "Currency", Kind::Enumeration(&CURRENCIES)),
    hubspot("dealstage", "Deal Stage", Kind::Enumeration(&DEAL_STAGES)).shown_as("radio"),
    hubspot("pipeline", "Pipeline", Kind::Enumeration(&DEAL_PIPELINES)),
    hubspot("closedate", "Close Date", Kind::DateTime),
    hubspot("dealtype", "Deal Type", Kind::Enumeration(&DEAL_TYPES)),
    hubspot("description", "Deal Description", Kind::Text),
    hubspot("hubspot_owner_id", "Deal owner", Kind::Owner),
    system("createdate", "Create Date", Kind::DateTime),
    system("lastmodifieddate", "Last Modified Date (legacy)", Kind::DateTime),
    system("hs_lastmodifieddate", "Last Modified Date", Kind::DateTime),
    system("hs_object_id", "Record ID", Kind::Number),
    // Stored when the stage or amount is written (see `validate::apply_defaults`), so no formula here.
    calculated("hs_deal_stage_probability", "Deal probability", Kind::Number),
    calculated("num_notes", "Number of Sales Activities", Kind::Number),
    calculated("days_to_close", "Days to close", Kind::Number),
    calculated("amount_in_home_currency", "Amount in company currency", Kind::Number),
    custom("deal_region", "Deal region", Kind::Text),
    custom("lead_source", "Lead source", Kind::Text),
    custom("contract_term_months", "Contract term (months)", Kind::Text),
];

static LEAD: &[Property] = &[
    hubspot("hs_lead_name", "Lead name", Kind::Text),
    hubspot("hs_lead_type", "Lead type", Kind::Enumeration(&LEAD_TYPES)),
    hubspot("hs_lead_label", "Lead label", Kind::Enumeration(&LEAD_LABELS)),
    hubspot("hs_pipeline", "Pipeline", Kind::Enumeration(&LEAD_PIPELINES)),
    hubspot("hs_pipeline_stage", "Lead stage", Kind::Enumeration(&LEAD_STAGES)),
    hubspot("hubspot_owner_id", "Lead owner", Kind::Owner),
    system("hs_createdate", "Create Date", Kind::DateTime),
    system("hs_lastmodifieddate", "Last Modified Date", Kind::DateTime),
    system("hs_object_id", "Record ID", Kind::Number),
    custom("campaign_code", "Campaign code", Kind::Text),
];

static MEETING: &[Property] = &[
    hubspot("hs_timestamp", "Activity date", Kind::DateTime),
    hubspot("hs_meeting_title", "Meeting name", Kind::Text),
    hubspot("hs_meeting_body", "Meeting description", Kind::Text).shown_as("html"),
    hubspot("hs_internal_meeting_notes", "Internal meeting notes", Kind::Text),
    hubspot("hs_meeting_location", "Location", Kind::Text),
    hubspot("hs_meeting_external_url", "External URL", Kind::Text),
    hubspot("hs_meeting_start_time", "Meeting start time", Kind::DateTime),
    hubspot("hs_meeting_end_time", "Meeting end time", Kind::DateTime),
    hubspot("hs_meeting_outcome", "Meeting outcome", Kind::Enumeration(&MEETING_OUTCOMES)),
    hubspot("hs_activity_type", "Call and meeting type", Kind::Text),
    hubspot("hs_attendee_owner_ids", "Attendee owner IDs", Kind::Text),
    hubspot("hubspot_owner_id", "Activity assigned to", Kind::Owner),
    system("hs_createdate", "Create Date", Kind::DateTime),
    system("hs_lastmodifieddate", "Last Modified Date", Kind::DateTime),
    system("hs_object_id", "Record ID", Kind::Number),
    custom("agenda_url", "Agenda URL", Kind::Text),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_listings_in_hubspot_forms() {
        assert_eq!(
            DEAL_STAGES.listing(),
            "[appointmentscheduled, qualifiedtobuy, presentationscheduled, decisionmakerboughtin, contractsent, closedwon, closedlost]"
        );
        assert_eq!(
            LEAD_LABELS.listing(),
            "[label: \"Cold\"\nvalue: \"COLD\"\n, label: \"Warm\"\nvalue: \"WARM\"\n, label: \"Hot\"\nvalue: \"HOT\"\n]"
        );
        assert!(LIFECYCLE_STAGES.allows("1049584722") && !LIFECYCLE_STAGES.allows("hot"));
        assert!(!LEAD_LABELS.allows(" WARM"));
    }

    #[test]
    fn companies_define_what_a_unified_company_maps_to() {
        for name in [
            "name",
            "domain",
            "website",
            "industry",
            "phone",
            "address",
            "city",
            "state",
            "zip",
            "country",
            "numberofemployees",
            "annualrevenue",
            "description",
            "hubspot_owner_id",
        ] {
            assert!(COMPANY.iter().any(|p| p.name == name && !p.read_only()), "{name}");
        }
        let industry = COMPANY.iter().find(|p| p.name == "industry").unwrap();
        let Kind::Enumeration(options) = industry.kind else { panic!("industry is an enumeration") };
        assert!(options.allows("COMPUTER_SOFTWARE") && options.allows("LOGISTICS_AND_SUPPLY_CHAIN"));
        assert!(!options.allows("Computer Software"), "the internal value, not the label");
        let contacts = COMPANY.iter().find(|p| p.name == "num_associated_contacts").unwrap();
        assert_eq!(contacts.access, Access::Calculated);
    }

    #[test]
    fn names_are_unique_per_type() {
        for ty in ObjectType::ALL {
            let mut names: Vec<&str> = properties(ty).iter().map(|p| p.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{ty:?}");
        }
    }
}
