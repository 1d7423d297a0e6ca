"""GraphQL types, queries and mutations: thin, they translate and delegate."""
