// SecretValue lives in LookoutSecrets so the Kafka client can hold a password without depending
// on the AWS client; everything that reads secrets through the AWS client sees it from here.
@_exported import LookoutSecrets
