# The Rapport image used by docker-compose.yml: the api, the index worker and the jobs.

# The web console (web/ built into web/dist) and GraphiQL's files come from npm, in a build stage.
FROM node:20-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY schema.graphql ./
COPY web web
RUN node_modules/.bin/gql-tada generate output --tsconfig web/tsconfig.json \
 && node_modules/.bin/vite build web --logLevel warn

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY schema schema
COPY compiler compiler
COPY services services
COPY jobs jobs
COPY domain domain
COPY store store
COPY search search
COPY migrations migrations
COPY --from=web /app/web/dist web/dist
COPY --from=web /app/node_modules/graphiql node_modules/graphiql
COPY --from=web /app/node_modules/react node_modules/react
COPY --from=web /app/node_modules/react-dom node_modules/react-dom
# Editable, so the api finds web/dist and node_modules beside its sources, as in a checkout
# (api/console.py and api/graphiql.py look there).
RUN pip install --no-cache-dir -e . && useradd --system rapport
USER rapport
ENV HOST=0.0.0.0 PORT=8000 RAPPORT_ENV=production
EXPOSE 8000
CMD ["rapport", "serve"]
