//! The create flows: mapping → client → mapping. Field names live in `mapping`, calls in `client`.

use unified_core::resource::UnifiedInput;
use unified_core::{Call, Connector, Created, UnifiedError};

/// The Pipedrive connector.
#[derive(Debug, Clone, Copy)]
pub struct Pipedrive;

#[unified_core::__private::async_trait]
impl Connector for Pipedrive {
    async fn create(&self, _call: Call<'_>, input: &UnifiedInput) -> Result<Created, UnifiedError> {
        // The pipeline refuses a resource the descriptor does not list before it gets here. Replace an
        // arm with its create flow when the resource is declared in `descriptor.rs`.
        match input {
            UnifiedInput::Contact(_) => Err(unsupported(input)),
            UnifiedInput::Lead(_) => Err(unsupported(input)),
            UnifiedInput::Deal(_) => Err(unsupported(input)),
            UnifiedInput::Meeting(_) => Err(unsupported(input)),
        }
    }
}

fn unsupported(input: &UnifiedInput) -> UnifiedError {
    UnifiedError::UnsupportedResource {
        provider: crate::PROVIDER.to_owned(),
        resource: input.resource().as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use unified_core::connector::Settings;
    use unified_core::resource::{ContactInput, DealInput, LeadInput, MeetingInput};
    use unified_core::testkit::ReplayBackend;
    use unified_core::transport::ProviderClient;

    use super::*;

    #[tokio::test]
    async fn every_resource_is_unsupported_without_a_call() {
        let backend = Arc::new(ReplayBackend::default());
        let client = ProviderClient::builder(&crate::DESCRIPTOR).backend(backend.clone()).build().unwrap();
        let settings = Settings::new();
        let call = Call { client: &client, settings: &settings, include_remote_data: false, connection_id: "test" };
        let inputs: [UnifiedInput; 4] = [
            ContactInput::default().into(),
            LeadInput::default().into(),
            DealInput::default().into(),
            MeetingInput::default().into(),
        ];
        for input in inputs {
            let error = Pipedrive.create(call, &input).await.unwrap_err();
            assert_eq!(error.code(), "unsupported_resource", "{}", input.resource());
        }
        assert!(backend.sent().is_empty());
    }
}
