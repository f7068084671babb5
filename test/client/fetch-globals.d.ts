// The generated client (test/client/generated) names the DOM's BodyInit; Node's fetch types have
// it only as RequestInit['body'], and the project compiles without the DOM library.
type BodyInit = NonNullable<RequestInit['body']>;
