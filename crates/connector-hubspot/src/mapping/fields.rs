//! HubSpot property names → unified field names, for the field errors HubSpot reports.

const FIELDS: &[(&str, &str)] = &[
    ("firstname", "firstName"),
    ("lastname", "lastName"),
    ("email", "email"),
    ("phone", "phone"),
    ("company", "company"),
    ("jobtitle", "jobTitle"),
    ("address", "address.street"),
    ("city", "address.city"),
    ("state", "address.state"),
    ("zip", "address.postalCode"),
    ("country", "address.country"),
    ("lifecyclestage", "lifecycleStage"),
    ("hubspot_owner_id", "ownerId"),
    ("hs_lead_name", "lastName"),
    ("hs_pipeline_stage", "status"),
    ("dealname", "name"),
    ("amount", "amount"),
    ("deal_currency_code", "currency"),
    ("dealstage", "stage"),
    ("pipeline", "pipeline"),
    ("closedate", "closeDate"),
    ("hs_meeting_title", "title"),
    ("hs_meeting_body", "description"),
    ("hs_meeting_location", "location"),
    ("hs_meeting_start_time", "startTime"),
    ("hs_timestamp", "startTime"),
    ("hs_meeting_end_time", "endTime"),
];

/// The unified field a property comes from; an unmapped property is a custom field.
pub fn unified_field(property: &str) -> String {
    FIELDS
        .iter()
        .find(|(p, _)| *p == property)
        .map_or_else(|| format!("customFields.{property}"), |(_, field)| (*field).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_known_and_custom_properties() {
        assert_eq!(unified_field("zip"), "address.postalCode");
        assert_eq!(unified_field("dealstage"), "stage");
        assert_eq!(unified_field("favourite_colour"), "customFields.favourite_colour");
    }
}
