//! Salesforce field API names → unified field names, for the field errors Salesforce reports.
//!
//! The same name can mean two unified fields on two objects (`AccountId` is a contact's `company` but a
//! deal's `companyId`), so the object the call wrote is given when known.

/// Names that mean the same unified field on every object the connector writes.
const FIELDS: &[(&str, &str)] = &[
    ("FirstName", "firstName"),
    ("LastName", "lastName"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Title", "jobTitle"),
    ("Company", "company"),
    ("MailingStreet", "address.street"),
    ("MailingCity", "address.city"),
    ("MailingState", "address.state"),
    ("MailingStateCode", "address.state"),
    ("MailingPostalCode", "address.postalCode"),
    ("MailingCountry", "address.country"),
    ("MailingCountryCode", "address.country"),
    ("Street", "address.street"),
    ("City", "address.city"),
    ("State", "address.state"),
    ("StateCode", "address.state"),
    ("PostalCode", "address.postalCode"),
    ("Country", "address.country"),
    ("CountryCode", "address.country"),
    ("OwnerId", "ownerId"),
    ("LeadSource", "source"),
    ("Status", "status"),
    ("Name", "name"),
    ("Amount", "amount"),
    ("CurrencyIsoCode", "currency"),
    ("StageName", "stage"),
    ("CloseDate", "closeDate"),
    ("Probability", "probability"),
    ("AccountId", "companyId"),
    ("Subject", "title"),
    ("Description", "description"),
    ("StartDateTime", "startTime"),
    ("ActivityDateTime", "startTime"),
    ("EndDateTime", "endTime"),
    ("DurationInMinutes", "endTime"),
    ("Location", "location"),
    ("WhoId", "contactIds"),
    ("WhatId", "dealId"),
];

/// The unified field a Salesforce field comes from on `object` (`None`: not known); an unmapped field
/// is a custom field.
pub fn unified_field(object: Option<&str>, field: &str) -> String {
    let on = |name: &str| object.is_some_and(|o| o.eq_ignore_ascii_case(name));
    // The account a contact's `company` resolves to; the Account a `company` creates.
    if (on("Contact") && field.eq_ignore_ascii_case("AccountId")) || on("Account") {
        return "company".to_owned();
    }
    if on("OpportunityContactRole") && field.eq_ignore_ascii_case("ContactId") {
        return "contactIds".to_owned();
    }
    if on("EventRelation") && field.eq_ignore_ascii_case("RelationId") {
        return "attendees".to_owned();
    }
    FIELDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(field))
        .map_or_else(|| format!("customFields.{field}"), |(_, unified)| (*unified).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_custom_and_per_object_names() {
        assert_eq!(unified_field(None, "MailingPostalCode"), "address.postalCode");
        assert_eq!(unified_field(Some("Lead"), "countrycode"), "address.country");
        assert_eq!(unified_field(Some("Opportunity"), "StageName"), "stage");
        assert_eq!(unified_field(Some("Opportunity"), "AccountId"), "companyId");
        assert_eq!(unified_field(Some("Contact"), "AccountId"), "company");
        assert_eq!(unified_field(Some("Account"), "Name"), "company");
        assert_eq!(unified_field(Some("Contact"), "Loyalty_Score__c"), "customFields.Loyalty_Score__c");
    }
}
