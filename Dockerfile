# The Rapport api (and, later, worker) image used by docker-compose.yml.
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
COPY jobs jobs
COPY migrations migrations
RUN pip install --no-cache-dir . && useradd --system rapport
USER rapport
ENV HOST=0.0.0.0 PORT=8000 RAPPORT_ENV=production
EXPOSE 8000
CMD ["rapport", "serve"]
