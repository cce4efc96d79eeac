//! Pipedrive field names → unified field names, for the field errors Pipedrive reports.

const FIELDS: &[(&str, &str)] = &[
    ("name", "lastName"),
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("emails", "email"),
    ("email", "email"),
    ("phones", "phone"),
    ("phone", "phone"),
    ("org_id", "company"),
    ("organization_id", "company"),
    ("job_title", "jobTitle"),
    ("postal_address", "address"),
    ("owner_id", "ownerId"),
    ("label_ids", "tags"),
    ("title", "name"),
    ("value", "amount"),
    ("currency", "currency"),
    ("stage_id", "stage"),
    ("pipeline_id", "pipeline"),
    ("expected_close_date", "closeDate"),
    ("probability", "probability"),
    ("person_id", "contactIds"),
    ("subject", "title"),
    ("public_description", "description"),
    ("due_date", "startTime"),
    ("due_time", "startTime"),
    ("duration", "endTime"),
    ("location", "location"),
    ("attendees", "attendees"),
    ("participants", "contactIds"),
    ("deal_id", "dealId"),
];

/// The unified field a Pipedrive field path (`emails[0].value`, `custom_fields.<key>`, `stage_id`) comes
/// from; a custom field keeps its key (`customFields.<key>`), anything else unknown its own name.
pub fn unified_field(path: &str) -> String {
    let path = path.trim();
    if let Some(key) = path.strip_prefix("custom_fields.").or_else(|| path.strip_prefix("custom_fields/")) {
        return format!("customFields.{}", key.split(['.', '[']).next().unwrap_or(key));
    }
    if let Some(key) = path.get(..40).filter(|k| k.bytes().all(|b| b.is_ascii_hexdigit()))
        && path[40..].chars().next().is_none_or(|c| matches!(c, '_' | '.' | '['))
    {
        return format!("customFields.{key}");
    }
    let head = path.split(['.', '[', '/']).next().unwrap_or(path);
    FIELDS.iter().find(|(p, _)| *p == head).map_or_else(|| head.to_owned(), |(_, field)| (*field).to_owned())
}

/// The first Pipedrive field a message names (`Stage with id 99 does not exist` → `stage`): whole words
/// only, for messages that carry no field path of their own.
pub fn field_in_message(message: &str) -> Option<String> {
    let words: Vec<String> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    for (i, word) in words.iter().enumerate() {
        if let Some((_, field)) = FIELDS.iter().find(|(p, _)| p.contains('_') && *p == word) {
            return Some((*field).to_owned());
        }
        let next = words.get(i + 1).map(String::as_str);
        let phrase = match (word.as_str(), next) {
            ("stage", _) => Some("stage"),
            ("pipeline", _) => Some("pipeline"),
            ("organization", _) => Some("company"),
            ("owner" | "user", _) => Some("ownerId"),
            ("deal", _) => Some("dealId"),
            ("person", _) => Some("contactIds"),
            ("currency", _) => Some("currency"),
            _ => None,
        };
        if let Some(field) = phrase {
            return Some(field.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_unified_fields() {
        assert_eq!(unified_field("emails[0].value"), "email");
        assert_eq!(unified_field("stage_id"), "stage");
        assert_eq!(
            unified_field("custom_fields.5a313b872ffc53e12ef7a7a4957b6d3130fec189"),
            "customFields.5a313b872ffc53e12ef7a7a4957b6d3130fec189"
        );
        assert_eq!(
            unified_field("5a313b872ffc53e12ef7a7a4957b6d3130fec189_currency"),
            "customFields.5a313b872ffc53e12ef7a7a4957b6d3130fec189"
        );
        assert_eq!(unified_field("visible_to"), "visible_to");
    }

    #[test]
    fn messages_name_fields() {
        assert_eq!(field_in_message("Stage with id 99 does not exist").as_deref(), Some("stage"));
        assert_eq!(field_in_message("Invalid owner_id").as_deref(), Some("ownerId"));
        assert_eq!(field_in_message("Organization not found").as_deref(), Some("company"));
        assert_eq!(field_in_message("Something broke"), None);
    }
}
