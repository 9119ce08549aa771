# Las palabras de la consola del personal, en español. Cada mensaje de
# en/console.ftl debe estar aquí (una prueba lo comprueba).

console-name = Consola del personal
console-footer = Consola del personal de candor. Lo que lee o cambia aquí de los datos de los clientes, y cada texto original que muestra, queda en el registro de auditoría.
console-nav-label = Páginas de la consola
console-signed-in-as = Sesión de { $actor } ({ $roles })
console-back = Volver a la consola
console-role-agent = agente
console-role-analyst = analista
console-role-marketer = marketing
console-role-compliance = cumplimiento
console-role-admin = administración
console-nav-dashboard = Panel
console-nav-conversations = Conversaciones
console-nav-requests = Solicitudes de derechos
console-nav-concerns = Consultas
console-nav-policy = Política
console-nav-recipients = Destinatarios
console-nav-staff = Personal
console-nav-audit = Registro de auditoría
console-nav-training = Formación
console-training-lapsed-banner = Su formación en privacidad no está vigente: las páginas con datos personales siguen cerradas hasta que apruebe el cuestionario.

## Iniciar sesión
console-sign-in-title = Entrar en la consola del personal
console-sign-in-intro = Entre con una llave de acceso si esta instalación las ofrece, con un código enviado a su correo de trabajo (su identificador de personal) o con un token de API de `candor actor token`.
console-sign-in-by-code = Con un código por correo
console-sign-in-actor = Su identificador de personal
console-sign-in-actor-needed = Escriba su identificador de personal (su correo de trabajo).
console-sign-in-by-token = Con un token de API
console-sign-in-token = Token de API
console-sign-in-token-hint = La sesión termina cuando el token caduca o se revoca. El token no se guarda en su navegador.
console-token-wrong = Ese token es desconocido, ha caducado o fue revocado.
console-code-sent = Si el identificador es el correo de alguien del personal, le llega un código. Sirve durante 30 minutos y una sola vez.
console-code-printed = Esta instalación no envía correo: el código está en la bandeja de salida (`candor outbox`) o lo imprimió `candor demo`.

## Problemas
console-error-title = No se pudo hacer
console-error-unauthenticated = Su sesión terminó. Vuelva a entrar.
console-error-forbidden = Su función no permite usar esta página o acción.
console-error-not-found = No encontrado.
console-error-conflict = Esto ya se está tramitando.
console-error-too-many = Demasiados intentos desde aquí. Espere un minuto y vuelva a intentarlo.
console-error-invalid = No se pudo usar lo enviado.
console-error-busy = El servidor está ocupado. Inténtelo de nuevo en un momento.
console-error-internal = Algo falló en el servidor. Está en el registro del servidor.

## Palabras comunes
filters = Filtros
filter-from = Desde
filter-to = Hasta
filter-platform = Plataforma
filter-account = Cuenta de la marca
filter-epsilon = Presupuesto de privacidad ε (opcional)
filter-epsilon-hint = Deje ε vacío para cifras exactas. Con ε, las cifras llevan ruido de privacidad diferencial y cada gráfico gasta ε de su presupuesto mensual.
filter-apply = Aplicar
overdue = Vencida
in-force = vigente
not-in-force = no vigente
suppressed = oculto (muy pocos clientes)
col-due = Vence
col-request = Solicitud
col-regime = Ley
col-state = Estado
col-received = Recibida
col-customer = Cliente (seudónimo)
col-open = Leer
col-recipient = Destinatario
col-agreement = Acuerdo
col-valid = Vigencia
col-purposes = Finalidades
col-categories = Categorías de datos
col-transfer = Garantía de transferencia
col-actor = Miembro del personal
col-roles = Funciones
col-training = Formación
col-when = Cuándo
col-action = Acción
col-pseudonym = Seudónimo del titular
col-purpose = Finalidad
col-decision = Decisión
col-messages = Mensajes
col-mean-sentiment = Sentimiento medio
col-conversations = Conversaciones
col-answered = Respondidas
col-service-level = Dentro del objetivo
col-first-response-median = Primera respuesta (mediana)
col-first-response-p90 = Primera respuesta (percentil 90)
col-phrase = Frase
col-customers = Clientes
col-rise = Aumento de la proporción

## Panel
console-dashboard-intro = Cifras de atención al cliente sobre los clientes cuyo consentimiento o nuestro interés legítimo permiten hoy la analítica. Los grupos con muy pocos clientes se ocultan.
chart-sentiment-time = Sentimiento por semana y plataforma
chart-sentiment-theme = Sentimiento por tema
chart-themes = Mensajes por tema
chart-volume = Mensajes de clientes por semana
chart-messages = mensajes
chart-mean-sentiment = sentimiento medio (−1 … +1)
dim-week = Semana
dim-day = Día
dim-month = Mes
dim-platform = Plataforma
dim-theme = Tema
dim-account = Cuenta de la marca
dim-language = Idioma
figures-show = Mostrar las cifras
figures-none = Nada que mostrar en este periodo.
figures-note = Se ocultan los grupos de menos de { $k } clientes; las decisiones de { $excluded } clientes los dejan fuera de estas cifras.
figures-dp = Privacidad diferencial: ε { $epsilon } gastado; quedan { $left } este mes.
accounts-title = Primera respuesta y nivel de servicio por cuenta de la marca
emerging-title = Frases emergentes
emerging-note = Frases que más clientes usaron del { $from } al { $to } que en el periodo anterior; nunca se muestra una frase que usaron menos de { $k } clientes.

## Conversaciones
conversations-intro = Los mensajes de un cliente en todas las plataformas, los más recientes primero, con los datos personales ocultos. Mostrar un original pide una finalidad y un motivo; el cliente ve que se mostró.
conversations-find = Buscar un cliente
conversations-customer = Correo, usuario (x:@nombre) o id de cliente
conversations-purpose = Finalidad
conversations-show = Mostrar mensajes
conversations-of = Mensajes del cliente { $subject }
conversations-none = No hay mensajes.
conversations-nobody = Ningún cliente coincide.
conversations-denied = El control de acceso lo denegó: { $reason }
conversations-reveal = Mostrar el texto original…
conversations-reason = Por qué necesita el original
conversations-reason-hint = De 5 a 300 caracteres. Va al registro de auditoría: no escriba en él datos del cliente.
conversations-reveal-button = Mostrar el original
conversations-original = Texto original (se le muestra una vez y queda registrado)
conversations-revealed = El original aparece abajo. Que se mostró consta en el registro de auditoría y en el centro de privacidad del cliente.
kind-mention = mención
kind-reply = respuesta
kind-direct-message = mensaje directo
kind-comment = comentario
kind-review = reseña

## Solicitudes de derechos
requests-queue-intro = Solicitudes abiertas, el plazo más cercano primero. La ley fija cada plazo: un mes con el RGPD (ampliable en dos), 45 días con la CCPA (ampliable en 45).
requests-queue-empty = No hay solicitudes abiertas.
requests-back = Volver a las solicitudes
request-history = Historial
request-history-received = Recibida { $at }
request-history-verified-code = Identidad verificada con un código de un solo uso
request-history-verified-staff = Identidad verificada por { $actor }: { $reason }
request-history-extended = Plazo ampliado { $at }: { $reason }
request-history-rejected = Denegada: { $reason }
request-report = Informe
report-deleted = Borrados { $n } { $what } ({ $category })
report-exported = Exportados { $n } { $what } ({ $category })
report-kept = Se conserva { $category } para { $purpose }: { $why }
report-notified = Se informó a { $recipient } (art. 19 RGPD)
request-act = Actuar
request-verify-reason = Cómo verificó la identidad del cliente
request-verify = Marcar como verificada
request-confirm = He revisado esta solicitud y quiero ejecutarla ahora; no se puede deshacer.
request-execute = Ejecutarla
request-extend-reason = Por qué se necesita más tiempo (se le dice al cliente)
request-extend = Ampliar el plazo
request-reject-reason = Por qué se deniega (se le dice al cliente)
request-reject = Denegar
request-done-verify = Marcada como verificada.
request-done-extend = Plazo ampliado; se informa al cliente.
request-done-reject = Denegada; se informa al cliente.
request-done-execute = Ejecutada; se informa al cliente.

## Consultas
concerns-queue-intro = Preguntas y consultas que los clientes plantearon en el centro de privacidad, la fecha más cercana primero. Leer una queda registrado.
concerns-queue-empty = No hay consultas abiertas.
concern-state-open = abierta
concern-state-answered = respondida
concern-state-closed = cerrada
concern-read = Leer y responder
concern-opened = El cliente escribió
concern-message = Mensaje
concern-answer = Nuestra respuesta
concern-answer-label = Su respuesta (se envía por correo al cliente)
concern-answer-send = Enviar la respuesta
concern-close = Cerrar
concern-done-answer = Respuesta enviada al cliente.
concern-done-close = Cerrada.

## Política
policy-versions = Versiones publicadas
policy-version = Versión { $version }, publicada { $at }
policy-first = La primera versión.
policy-material = sustancial
policy-minor = menor
policy-upload = Publicar una versión nueva
policy-upload-intro = Suba el archivo de la política (TOML). Se comprueba y se compara con la versión vigente antes de publicar nada.
policy-file = Archivo de la política
policy-check = Comprobar
policy-pending = Qué cambia si se publica este archivo
policy-no-change = Nada cambia respecto a la versión vigente.
policy-stale = El consentimiento de { $n } clientes queda desactualizado (finalidades: { $purposes }). Se les informa, y su consentimiento no cuenta hasta que lo vuelvan a dar.
policy-publish = Publicar
policy-published = Publicada la versión { $version }; { $notices } clientes avisados.
policy-same = Este archivo ya es la versión { $version }; no se publicó nada.

## Destinatarios, personal, auditoría
recipients-intro = Terceros con quienes pueden compartirse datos según la política vigente, con sus acuerdos.
recipients-none = La política no nombra destinatarios.
staff-intro = Miembros del personal y clientes de la API, sus funciones y hasta cuándo cuenta su formación en privacidad.
staff-trained-until = Formación hasta el { $date }
staff-training-lapsed = Caducó el { $date }
staff-untrained = Sin formación
audit-intro = Cada decisión sobre datos personales, las más recientes primero. Los clientes aparecen solo por seudónimo.
audit-verify = Verificar la cadena
audit-intact = La cadena está intacta: { $entries } entradas, { $checkpoints } puntos de control firmados.
audit-tampered = La cadena está rota: { $problem }
audit-none = Ninguna entrada coincide.

## Formación
training-chapters = Capítulos
training-current = Su formación cuenta hasta el { $date }.
training-expired = Su formación caducó el { $date }.
training-none = No consta formación suya.
training-lapsed-intro = Lea el curso y apruebe el cuestionario para volver a abrir las páginas con datos personales.
quiz-title = Cuestionario
quiz-intro = Responda todas las preguntas; con un { $mark } % de aciertos se aprueba.
quiz-submit = Entregar
quiz-outcome = Su resultado
quiz-passed = Aprobado: { $correct } de { $total } correctas. Su formación cuenta hasta el { $until }.
quiz-failed = No aprobado: { $correct } de { $total } correctas. Vuelva a leer los capítulos e inténtelo de nuevo.
quiz-right-answer = Respuesta correcta: { $answer }.
figures-exact = Estas cifras son exactas: la privacidad diferencial se aplica a los gráficos de analítica de arriba, no a ellas.
emerging-unfiltered = Abarcan todas las plataformas y cuentas de la marca.
chart-suppressed = { $n } grupos ocultos: menos de { $k } clientes, o deducibles de un total.

## Llaves de acceso
console-nav-passkeys = Llaves de acceso
console-sign-in-by-passkey = Con una llave de acceso
console-passkey-sign-in = Entrar con una llave de acceso
console-passkey-failed = No se pudo usar la llave de acceso:
console-passkey-refused = Esa llave de acceso no fue aceptada. Inténtelo de nuevo o entre de otra forma.
passkeys-intro = Una llave de acceso le permite entrar con el bloqueo de su dispositivo (huella, cara o PIN) en lugar de un código. Se queda en su dispositivo; candor solo guarda su clave pública. Puede registrar varias y quitar cualquiera.
passkeys-none = Aún no tiene llaves de acceso.
passkeys-need-script = Registrar una llave de acceso necesita JavaScript y un navegador con llaves de acceso; entrar con código o token funciona sin ellos.
passkeys-off = Esta instalación no ofrece llaves de acceso: necesitan que `server.public_url` nombre un host (por ejemplo https://care.example.com, o http://localhost en esta máquina), nunca una dirección IP.
passkey-added = La llave de acceso está registrada. Desde ahora puede entrar con ella.
passkey-add-title = Registrar una llave de acceso
passkey-label = Un nombre para ella (opcional)
passkey-add = Registrar una llave de acceso
passkey-remove = Quitar
passkey-never-used = Nunca
col-passkey = Llave de acceso
col-registered = Registrada
col-last-used = Último uso
passkeys-elsewhere = Las llaves de acceso solo funcionan en la dirección propia de esta instalación:
